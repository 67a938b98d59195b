-- speed_to_lead: handed-off leads by the time from handoff to the first attempt, in fixed
-- buckets, with how often each bucket went on to SQL and to a won deal.
with

touched as (
    select * from touch_facts
),

buckets (bucket_order, speed_bucket) as (
    values
        (1, '< 5 min'),
        (2, '< 1 h'),
        (3, '< 24 h'),
        (4, '< 72 h'),
        (5, 'later'),
        (6, 'never')
),

-- every dimension value that has handed-off leads; without --by, the single empty group
-- is always there so the six buckets show even when the filters leave no lead
dimensions as (
    select distinct dimension from touched
    union
    select null as dimension where $breakdown = ''
),

counts as (
    select
        dimension,
        speed_bucket,
        count(*) as leads,
        count(*) filter (where is_sql) as sqls,
        count(*) filter (where is_won) as won
    from touched
    group by dimension, speed_bucket
),

grid as (
    select
        d.dimension,
        b.bucket_order,
        b.speed_bucket,
        coalesce(c.leads, 0) as leads,
        coalesce(c.sqls, 0) as sqls,
        coalesce(c.won, 0) as won
    from dimensions d
    cross join buckets b
    left join counts c
        on c.dimension is not distinct from d.dimension
        and c.speed_bucket = b.speed_bucket
),

final as (
    select
        dimension,
        bucket_order,
        speed_bucket,
        leads,
        leads / nullif(sum(leads) over (partition by dimension), 0) as share,
        sqls,
        sqls / nullif(leads, 0) as sql_rate,
        won,
        won / nullif(leads, 0) as win_rate
    from grid
)

select * from final
order by dimension nulls last, bucket_order
