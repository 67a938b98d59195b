-- funnel: the forward chain lead → MQL → handed off → accepted (SAL) → SQL → opportunity →
-- won, one row per stage (per --by value), with stage-to-stage rates and the median days
-- between consecutive stages.
--
-- A stage counts every lead that reached it (its flag in lead_facts), whether or not the
-- lead has the earlier stages; rejection is not a forward stage (see the handoff metric).
with

leads as (
    select * from lead_facts
),

-- the stage list, in order (columns 1..7 below follow its stage_order)
stages as (
    select stage_order, stage, stage_label from funnel_stages
),

-- one block of stages per --by value; without --by one block whose dimension is NULL,
-- there even when no lead passes the filters, so the shape is always seven rows
dimensions as (
    select distinct dimension from leads
    union
    select cast(null as varchar) as dimension where $breakdown = ''
),

-- per lead: whether it reached each stage (r2..r7; every lead is a lead) and when (t1..t7)
stage_dates as (
    select
        dimension,
        created_at as t1,
        is_mql as r2,
        mql_at_eff as t2,
        is_handed_off as r3,
        handed_off_at_eff as t3,
        -- an SQL was necessarily accepted: with no accepted date, its SQL date stands in
        -- (and a deal's date for a lead taken to a deal with neither)
        is_accepted as r4,
        accepted_at_eff as t4,
        is_sql as r5,
        sql_at as t5,
        is_opportunity as r6,
        first_deal_at as t6,
        is_won as r7,
        first_won_at as t7
    from leads
),

-- days from the previous stage's date to this stage's date, for leads that reached both
-- stages and have both dates (NULL otherwise; negative when the dates are out of order)
gaps as (
    select
        *,
        case when r2 then (epoch(t2) - epoch(t1)) / 86400e0 end as g2,
        case when r3 and r2 then (epoch(t3) - epoch(t2)) / 86400e0 end as g3,
        case when r4 and r3 then (epoch(t4) - epoch(t3)) / 86400e0 end as g4,
        case when r5 and r4 then (epoch(t5) - epoch(t4)) / 86400e0 end as g5,
        case when r6 and r5 then (epoch(t6) - epoch(t5)) / 86400e0 end as g6,
        case when r7 and r6 then (epoch(t7) - epoch(t6)) / 86400e0 end as g7
    from stage_dates
),

-- one pass over the leads: counts, median gaps (in-order dates only) and out-of-order pairs
per_dimension as (
    select
        dimension,
        count(*) as c1,
        count(*) filter (where r2) as c2,
        count(*) filter (where r3) as c3,
        count(*) filter (where r4) as c4,
        count(*) filter (where r5) as c5,
        count(*) filter (where r6) as c6,
        count(*) filter (where r7) as c7,
        median(g2) filter (where g2 >= 0) as m2,
        median(g3) filter (where g3 >= 0) as m3,
        median(g4) filter (where g4 >= 0) as m4,
        median(g5) filter (where g5 >= 0) as m5,
        median(g6) filter (where g6 >= 0) as m6,
        median(g7) filter (where g7 >= 0) as m7,
        count(*) filter (where g2 >= 0) as n2,
        count(*) filter (where g3 >= 0) as n3,
        count(*) filter (where g4 >= 0) as n4,
        count(*) filter (where g5 >= 0) as n5,
        count(*) filter (where g6 >= 0) as n6,
        count(*) filter (where g7 >= 0) as n7,
        count(*) filter (where g2 < 0) as o2,
        count(*) filter (where g3 < 0) as o3,
        count(*) filter (where g4 < 0) as o4,
        count(*) filter (where g5 < 0) as o5,
        count(*) filter (where g6 < 0) as o6,
        count(*) filter (where g7 < 0) as o7
    from gaps
    group by dimension
),

per_stage as (
    select
        dimension,
        1 as stage_order,
        c1 as count,
        cast(null as double) as median_days,
        cast(null as bigint) as n_timed,
        cast(null as bigint) as n_out_of_order
    from per_dimension
    union all
    select dimension, 2, c2, m2, n2, o2 from per_dimension
    union all
    select dimension, 3, c3, m3, n3, o3 from per_dimension
    union all
    select dimension, 4, c4, m4, n4, o4 from per_dimension
    union all
    select dimension, 5, c5, m5, n5, o5 from per_dimension
    union all
    select dimension, 6, c6, m6, n6, o6 from per_dimension
    union all
    select dimension, 7, c7, m7, n7, o7 from per_dimension
),

grid as (
    select
        d.dimension,
        s.stage_order,
        s.stage,
        s.stage_label,
        coalesce(p.count, 0) as count,
        p.median_days,
        case when s.stage_order > 1 then coalesce(p.n_timed, 0) end as n_timed,
        case when s.stage_order > 1 then coalesce(p.n_out_of_order, 0) end as n_out_of_order
    from dimensions d
    cross join stages s
    left join per_stage p
        on p.dimension is not distinct from d.dimension and p.stage_order = s.stage_order
),

final as (
    select
        dimension,
        stage_order,
        stage,
        stage_label,
        count,
        count / nullif(lag(count) over w, 0) as rate_from_previous,
        count / nullif(first_value(count) over w, 0) as rate_from_first,
        (lag(count) over w) - count as drop_off,
        median_days as median_days_from_previous,
        n_timed,
        n_out_of_order
    from grid
    window w as (partition by dimension order by stage_order)
)

select * from final
order by dimension nulls last, stage_order
