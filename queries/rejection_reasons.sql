-- rejection_reasons: why sales rejected handed-off leads, per dimension value and reason
-- (one group overall without --by; the dashboard asks for --by source).
--
-- The rejected leads are exactly the ones the handoff metric counts as rejected: handed
-- off (lead_facts.is_handed_off) with a rejection date, whether or not sales had accepted
-- them first. An empty reason is shown as '(no reason given)'.
with

rejected_leads as (
    select
        dimension,
        coalesce(nullif(trim(rejection_reason), ''), '(no reason given)') as rejection_reason,
        nullif(trim(rejection_reason), '') is null as is_unexplained
    from lead_facts
    where is_handed_off and is_rejected
),

counts as (
    select
        dimension,
        rejection_reason,
        bool_and(is_unexplained) as is_unexplained,
        count(*) as rejected
    from rejected_leads
    group by dimension, rejection_reason
),

final as (
    select
        dimension,
        rejection_reason,
        rejected,
        rejected / (sum(rejected) over (partition by dimension)) as share,
        rejected / (sum(rejected) over ()) as share_of_all,
        -- most frequent first; on a tie real reasons before the missing one, then A-Z
        row_number() over (
            partition by dimension
            order by rejected desc, is_unexplained, rejection_reason
        ) as rank,
        -- the totals the pages order sources and reasons by (so they add nothing up)
        sum(rejected) over (partition by dimension) as dimension_rejected,
        sum(rejected) over (partition by rejection_reason) as reason_rejected
    from counts
)

select * from final
order by dimension nulls last, rank
