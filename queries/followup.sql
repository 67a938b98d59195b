-- followup: how many attempts handed-off leads get before they are resolved (SQL, rejection
-- or a deal; all attempts while unresolved), as a distribution 0, 1, ..., 9, 10+, with the
-- SQL rate at each number of attempts.
with

touched as (
    select
        dimension,
        least(n_attempts, 10) as attempts_order,
        is_sql
    from touch_facts
),

buckets as (
    select
        attempts_order,
        case when attempts_order = 10 then '10+' else cast(attempts_order as varchar) end
            as attempts
    from (select unnest(generate_series(0, 10)) as attempts_order) as r
),

-- every dimension value that has handed-off leads; without --by, the single empty group
-- is always there so the eleven rows show even when the filters leave no lead
dimensions as (
    select distinct dimension from touched
    union
    select null as dimension where $breakdown = ''
),

counts as (
    select
        dimension,
        attempts_order,
        count(*) as leads,
        count(*) filter (where is_sql) as sqls
    from touched
    group by dimension, attempts_order
),

grid as (
    select
        d.dimension,
        b.attempts_order,
        b.attempts,
        coalesce(c.leads, 0) as leads,
        coalesce(c.sqls, 0) as sqls
    from dimensions d
    cross join buckets b
    left join counts c
        on c.dimension is not distinct from d.dimension
        and c.attempts_order = b.attempts_order
),

final as (
    select
        dimension,
        attempts_order,
        attempts,
        leads,
        leads / nullif(sum(leads) over (partition by dimension), 0) as share,
        sqls,
        sqls / nullif(leads, 0) as sql_rate
    from grid
)

select * from final
order by dimension nulls last, attempts_order
