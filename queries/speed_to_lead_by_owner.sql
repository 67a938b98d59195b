-- speed_to_lead_by_owner: per lead owner, how fast handed-off leads get their first attempt
-- and how often the handoff SLA is met. Slowest owners (highest median) first.
with

touched as (
    select
        coalesce(owner, '(no owner)') as owner,
        minutes_to_first_touch,
        is_never_touched,
        is_sla_met,
        is_sql
    from touch_facts
),

per_owner as (
    select
        owner,
        count(*) as handed_off,
        count(minutes_to_first_touch) as touched,
        quantile_cont(minutes_to_first_touch, 0.5e0) as median_minutes_to_first_touch,
        quantile_cont(minutes_to_first_touch, 0.9e0) as p90_minutes_to_first_touch,
        count(*) filter (where minutes_to_first_touch < 60) as within_1h,
        count(*) filter (where is_sla_met) as sla_met,
        count(*) filter (where not is_sla_met) as sla_missed,
        count(*) filter (where is_never_touched) as never_touched,
        count(*) filter (where is_sql) as sqls
    from touched
    group by owner
),

final as (
    select
        owner,
        handed_off,
        touched,
        median_minutes_to_first_touch,
        p90_minutes_to_first_touch,
        within_1h / nullif(handed_off, 0) as within_1h_rate,
        sla_met,
        sla_missed,
        sla_met / nullif(sla_met + sla_missed, 0) as sla_compliance_rate,
        never_touched,
        sqls / nullif(handed_off, 0) as sql_rate
    from per_owner
)

select * from final
order by median_minutes_to_first_touch desc nulls last, owner
