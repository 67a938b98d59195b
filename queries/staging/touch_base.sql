-- touch_base: one row per handed-off lead (no filters) with its follow-up: first touch
-- after the handoff, attempts before resolution, connects, SLA and whether it was given
-- up. The counting is in touch_counts (kept by the workspace); this view adds what the
-- duration settings decide, over those rows.
--
-- Session variables: sla_hours, give_up_days, as_of (the latest time in the data, so
-- results do not change with the day they are computed).
create or replace temp view touch_base as
with

final as (
    select
        *,
        first_touch_at is null as is_never_touched,
        case
            when first_touch_at is null then 'never'
            when minutes_to_first_touch < 5 then '< 5 min'
            when minutes_to_first_touch < 60 then '< 1 h'
            when minutes_to_first_touch < 24 * 60 then '< 24 h'
            when minutes_to_first_touch < 72 * 60 then '< 72 h'
            else 'later'
        end as speed_bucket,
        case
            when first_touch_at is not null
                then minutes_to_first_touch <= getvariable('sla_hours') * 60
            -- not touched yet but the SLA has not run out: neither met nor missed (the SLA
            -- is missed once strictly more than sla_hours have passed, as in `handoff`)
            when date_diff('microsecond', handed_off_at_eff, getvariable('as_of'))
                <= cast(getvariable('sla_hours') * 3600e6 as bigint)
                then null
            else false
        end as is_sla_met,
        n_attempts_total > 0
            and not is_sql and not is_rejected and not is_opportunity and not has_connect
            and date_diff('microsecond', last_attempt_at, getvariable('as_of'))
                > cast(getvariable('give_up_days') as bigint) * 86400000000
            as is_given_up
    from touch_counts
)

select * exclude (handed_off_at_eff, is_sql, is_rejected, is_opportunity)
from final
