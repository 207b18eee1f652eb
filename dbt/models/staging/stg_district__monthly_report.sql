-- Valid rows of raw.district_monthly_report, typed: see docs/staging.md.
{{ staging_from_base('base_district__monthly_report') }}
