-- funnel_cohort: for each cohort month, how many of its leads reached each stage of the
-- forward funnel, and whether the month is still too recent for a stage to have filled.
with

leads as (
    select * from lead_facts
),

-- the stage list, in order (columns 1..7 below follow its stage_order)
stages as (
    select stage_order, stage, stage_label from funnel_stages
),

-- per lead: whether it reached each stage and the days from its cohort date to the stage's
-- date (NULL when the stage has no date). Leads with no cohort date (non-MQLs when
-- cohort_basis = mql) belong to no month and are left out.
stage_days as (
    select
        cohort_month,
        is_mql as r2,
        is_handed_off as r3,
        is_accepted as r4,
        is_sql as r5,
        is_opportunity as r6,
        is_won as r7,
        (epoch(created_at) - epoch(cohort_at)) / 86400e0 as d1,
        case when is_mql then (epoch(mql_at_eff) - epoch(cohort_at)) / 86400e0 end as d2,
        case when is_handed_off
            then (epoch(handed_off_at_eff) - epoch(cohort_at)) / 86400e0 end as d3,
        -- an SQL was necessarily accepted: with no accepted date, its SQL date stands in
        case when is_accepted
            then (epoch(accepted_at_eff) - epoch(cohort_at)) / 86400e0 end as d4,
        case when is_sql then (epoch(sql_at) - epoch(cohort_at)) / 86400e0 end as d5,
        case when is_opportunity
            then (epoch(first_deal_at) - epoch(cohort_at)) / 86400e0 end as d6,
        case when is_won then (epoch(first_won_at) - epoch(cohort_at)) / 86400e0 end as d7
    from leads
    where cohort_month is not null
),

-- every month from the first cohort month to the last, so a month with no leads shows
months as (
    select cast(m as date) as cohort_month
    from (
        select unnest(generate_series(
            cast(b.lo as timestamp), cast(b.hi as timestamp), interval 1 month
        )) as m
        from (select min(cohort_month) as lo, max(cohort_month) as hi from stage_days) as b
        where b.lo is not null
    ) as g
),

per_month as (
    select
        cohort_month,
        count(*) as c1,
        count(*) filter (where r2) as c2,
        count(*) filter (where r3) as c3,
        count(*) filter (where r4) as c4,
        count(*) filter (where r5) as c5,
        count(*) filter (where r6) as c6,
        count(*) filter (where r7) as c7
    from stage_days
    group by cohort_month
),

per_cell as (
    select cohort_month, 1 as stage_order, c1 as count from per_month
    union all
    select cohort_month, 2, c2 from per_month
    union all
    select cohort_month, 3, c3 from per_month
    union all
    select cohort_month, 4, c4 from per_month
    union all
    select cohort_month, 5, c5 from per_month
    union all
    select cohort_month, 6, c6 from per_month
    union all
    select cohort_month, 7, c7 from per_month
),

-- how long a stage takes to fill: the 90th percentile of days from the cohort date to the
-- stage's date over the leads that reached it and have its date; a stage dated before the
-- cohort date (a lead created before its MQL date, under MQL cohorts) counts as 0 days
windows as (
    select
        quantile_cont(if(d1 < 0, 0, d1), 0.9e0) as q1,
        quantile_cont(if(d2 < 0, 0, d2), 0.9e0) as q2,
        quantile_cont(if(d3 < 0, 0, d3), 0.9e0) as q3,
        quantile_cont(if(d4 < 0, 0, d4), 0.9e0) as q4,
        quantile_cont(if(d5 < 0, 0, d5), 0.9e0) as q5,
        quantile_cont(if(d6 < 0, 0, d6), 0.9e0) as q6,
        quantile_cont(if(d7 < 0, 0, d7), 0.9e0) as q7
    from stage_days
),

maturity as (
    select 1 as stage_order, q1 as maturity_days from windows
    union all
    select 2, q2 from windows
    union all
    select 3, q3 from windows
    union all
    select 4, q4 from windows
    union all
    select 5, q5 from windows
    union all
    select 6, q6 from windows
    union all
    select 7, q7 from windows
),

grid as (
    select
        m.cohort_month,
        s.stage_order,
        s.stage,
        s.stage_label,
        coalesce(c.count, 0) as count,
        coalesce(t.maturity_days, 0) as maturity_days
    from months as m
    cross join stages as s
    left join per_cell as c on c.cohort_month = m.cohort_month and c.stage_order = s.stage_order
    left join maturity as t on t.stage_order = s.stage_order
),

final as (
    select
        cohort_month,
        stage_order,
        stage,
        stage_label,
        count,
        count / nullif(first_value(count) over w, 0) as rate_from_first,
        -- still filling while "now" is less than maturity_days past the month's end
        epoch($as_of) < epoch(cohort_month + interval 1 month) + maturity_days * 86400e0
            as is_maturing,
        maturity_days
    from grid
    window w as (partition by cohort_month order by stage_order)
)

select * from final
order by cohort_month, stage_order
