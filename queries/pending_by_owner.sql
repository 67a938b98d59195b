-- pending_by_owner: per lead owner, the handed-off leads still waiting for sales' decision
-- past the SLA, with the longest and median wait. The Handoff page's "waiting past the
-- SLA" bars read it.
--
-- A lead waits as in lead_list (and handoff.pending_past_sla): handed off, neither
-- accepted, rejected nor SQL, for strictly more than sla_hours between the handoff and
-- the data's latest moment. Owners with no such lead have no row.
with

waiting as (
    select
        owner,
        date_diff('second', handed_off_at_eff, $as_of) / 3600e0 as hours_waiting
    from lead_facts
    where is_handed_off and not is_accepted and not is_rejected and not is_sql
),

final as (
    select
        owner,
        count(*) as leads,
        max(hours_waiting) as longest_hours,
        median(hours_waiting) as median_hours
    from waiting
    where hours_waiting > $sla_hours
    group by owner
)

select * from final
order by leads desc, owner nulls last
