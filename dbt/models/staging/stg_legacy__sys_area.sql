-- Valid rows of raw.sys_area (live and soft-deleted), cleaned and typed: see docs/staging.md.
{{ staging_from_base('base_legacy__sys_area') }}
