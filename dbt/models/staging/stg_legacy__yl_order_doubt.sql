-- Valid rows of raw.yl_order_doubt (live and soft-deleted), cleaned and typed:
-- see docs/staging.md.
{{ staging_from_base('base_legacy__yl_order_doubt') }}
