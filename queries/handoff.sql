-- handoff: how many MQLs reach sales, and what sales decides about them, per dimension
-- value (one row overall without --by; the trend over time with --by month).
--
-- Counts after "handed_off" are over handed-off leads only (lead_facts.is_handed_off), so
-- every rate is a share of the leads sales actually received. A lead that sales accepted
-- and later rejected counts in both accepted and rejected (accepted_and_rejected says how
-- many); it is never pending.
with

leads as (
    select * from lead_facts
),

-- stage-history rows that say "MQL" (stage names normalised the way the loader does):
-- the latest one per lead, to spot a lead that became an MQL again after a rejection
history_mql as (
    select
        lead_id,
        max(entered_at) as last_mql_entry_at
    from stage_history
    where list_contains(
        $mql_stage_names, regexp_replace(lower(trim(stage)), '[^a-z0-9]+', '', 'g')
    )
    group by lead_id
),

per_lead as (
    select
        l.dimension,
        l.is_mql,
        l.is_handed_off,
        l.is_mql and l.is_handed_off as is_mql_handed_off,
        l.is_handed_off and l.is_accepted as is_accepted,
        l.is_handed_off and l.is_rejected as is_rejected,
        l.is_handed_off and not l.is_accepted and not l.is_rejected as is_pending,
        -- pending, and more than sla_hours have passed between the handoff and the data's
        -- latest moment (exactly sla_hours is still inside the SLA)
        l.is_handed_off and not l.is_accepted and not l.is_rejected
            and date_diff('microsecond', l.handed_off_at_eff, $as_of)
                > $sla_hours * 3600000000e0
            as is_pending_past_sla,
        -- decision times count only when the decision came at or after the MQL time (a
        -- recycled lead's single MQL date can be later than its rejection)
        case
            when l.is_handed_off and l.is_accepted
                and l.accepted_at_eff >= l.mql_at_eff
                then date_diff('microsecond', l.mql_at_eff, l.accepted_at_eff) / 3600000000e0
        end as hours_to_accept,
        case
            when l.is_handed_off and l.is_rejected and l.rejected_at >= l.mql_at_eff
                then date_diff('microsecond', l.mql_at_eff, l.rejected_at) / 3600000000e0
        end as hours_to_reject,
        l.is_handed_off and l.is_rejected and (
            coalesce(l.mql_at_eff > l.rejected_at, false)
            or coalesce(h.last_mql_entry_at > l.rejected_at, false)
        ) as is_recycled
    from leads l
    left join history_mql h using (lead_id)
),

grouped as (
    select
        dimension,
        count(*) filter (where is_mql) as mqls,
        count(*) filter (where is_handed_off) as handed_off,
        count(*) filter (where is_mql_handed_off) as mqls_handed_off,
        count(*) filter (where is_accepted) as accepted,
        count(*) filter (where is_rejected) as rejected,
        count(*) filter (where is_accepted and is_rejected) as accepted_and_rejected,
        count(*) filter (where is_pending) as pending,
        count(*) filter (where is_pending_past_sla) as pending_past_sla,
        median(hours_to_accept) as median_hours_to_accept,
        median(hours_to_reject) as median_hours_to_reject,
        count(*) filter (where is_recycled) as recycled
    from per_lead
    group by dimension
),

-- without --by there is always one row (all zeros when the filters leave no lead)
dimensions as (
    select distinct dimension from leads
    union
    select cast(null as varchar) as dimension where $breakdown = ''
),

counts as (
    select
        d.dimension,
        coalesce(g.mqls, 0) as mqls,
        coalesce(g.handed_off, 0) as handed_off,
        coalesce(g.mqls_handed_off, 0) as mqls_handed_off,
        coalesce(g.accepted, 0) as accepted,
        coalesce(g.rejected, 0) as rejected,
        coalesce(g.accepted_and_rejected, 0) as accepted_and_rejected,
        coalesce(g.pending, 0) as pending,
        coalesce(g.pending_past_sla, 0) as pending_past_sla,
        g.median_hours_to_accept,
        g.median_hours_to_reject,
        coalesce(g.recycled, 0) as recycled
    from dimensions d
    left join grouped g on d.dimension is not distinct from g.dimension
),

final as (
    select
        dimension,
        mqls,
        handed_off,
        mqls_handed_off,
        mqls_handed_off / nullif(mqls, 0) as handoff_rate,
        accepted,
        accepted / nullif(handed_off, 0) as acceptance_rate,
        rejected,
        rejected / nullif(handed_off, 0) as rejection_rate,
        accepted_and_rejected,
        pending,
        pending_past_sla,
        median_hours_to_accept,
        median_hours_to_reject,
        recycled,
        recycled / nullif(rejected, 0) as recycled_rate
    from counts
)

select * from final
order by dimension nulls last
