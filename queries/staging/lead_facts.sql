-- lead_facts: one row per lead that passes the filters: the shared lead_base with its
-- cohort, the --by dimension and the segment value.
--
-- Times are stored in UTC, but a team's day and month start at its own midnight: the
-- cohort's month and the date filters are cut in the data time zone (the `timezone`
-- setting, session variable data_timezone). cohort_at stays in UTC (for durations);
-- cohort_local_at is the same moment on the team's clock.
--
-- Session variables: cohort_basis ('created' | 'mql'), data_timezone, date_from, date_to,
-- sources, campaigns, owners, segment_values. {dimension} and {segment} are CASE
-- expressions over the leads' own columns, generated from the workspace schema
-- (identifiers only; values are never pasted in).
create or replace temp view lead_facts as
with

cohorts as (
    select
        *,
        case
            when getvariable('cohort_basis') = 'mql' then mql_at_eff
            else created_at
        end as cohort_at,
        {dimension} as dimension,
        {segment} as segment_value
    from lead_base
),

local as (
    select
        *,
        -- the UTC moment read as wall-clock time in the data time zone
        case
            when getvariable('data_timezone') = 'UTC' then cohort_at
            else timezone(getvariable('data_timezone'), timezone('UTC', cohort_at))
        end as cohort_local_at
    from cohorts
)

select
    *,
    date_trunc('month', cohort_local_at)::date as cohort_month,
    -- the score in bands of 20 (0-19, 20-39, ...; 100 joins 80-100): the one definition
    -- attribute_lift groups by and lead_list lists the leads of
    case
        when lead_score is null then null
        when lead_score >= 80 and lead_score <= 100 then '80-100'
        else
            cast(floor(lead_score / 20) * 20 as bigint)::varchar || '-'
            || cast(floor(lead_score / 20) * 20 + 19 as bigint)::varchar
    end as score_band
from local
where (getvariable('date_from') is null or cohort_local_at >= getvariable('date_from'))
  and (
      getvariable('date_to') is null
      or cohort_local_at < getvariable('date_to') + interval 1 day
  )
  and (array_length(getvariable('sources')) = 0 or list_contains(getvariable('sources'), source))
  and (array_length(getvariable('campaigns')) = 0 or list_contains(getvariable('campaigns'), campaign))
  and (array_length(getvariable('owners')) = 0 or list_contains(getvariable('owners'), owner))
  and (
      array_length(getvariable('segment_values')) = 0
      or list_contains(getvariable('segment_values'), segment_value)
  )
