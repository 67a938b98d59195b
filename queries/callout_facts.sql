-- callout_facts: one row with every figure the review meeting's lead-level callouts state:
-- rejected leads that bought anyway (false rejections), never-MQL leads that bought
-- (missed leads) and handed-off leads still waiting past the SLA, with their shares, the
-- commonest source and reason of the false rejections and the revenue at stake. The
-- callouts only choose (against the callout_* settings) and word them.
--
-- The definitions are the metrics' own: false rejections and missed leads as in
-- disagreement (a deal won strictly after the rejection; not an MQL and won), rejected,
-- handed_off and pending_past_sla as in handoff, won leads as disagreement_matrix's
-- 'won' outcome. tests/metrics/test_callout_facts.py checks they stay equal.
with

-- the won deals of the leads in the filters (deal_base: when won, amount in the reporting
-- currency or NULL)
false_rejected as (
    select
        l.lead_id,
        any_value(l.source) as source,
        any_value(l.rejection_reason) as rejection_reason,
        coalesce(sum(d.amount), 0)::double as revenue
    from lead_facts l
    join deal_base d using (lead_id)
    where d.is_won
      and l.rejected_at is not null
      and d.won_at > l.rejected_at
    group by l.lead_id
),

-- the commonest value (ties by name), leaving out leads with none
top_source as (
    select source, count(*) as n
    from false_rejected
    where source is not null
    group by source
    order by n desc, source
    limit 1
),

top_reason as (
    select rejection_reason, count(*) as n
    from false_rejected
    where rejection_reason is not null
    group by rejection_reason
    order by n desc, rejection_reason
    limit 1
),

leads as (
    select
        count(*) filter (where is_handed_off) as handed_off,
        count(*) filter (where is_handed_off and is_rejected) as rejected,
        count(*) filter (
            where is_handed_off and not is_accepted and not is_rejected
              and date_diff('microsecond', handed_off_at_eff, $as_of)
                  > $sla_hours * 3600000000e0
        ) as pending_past_sla,
        count(*) filter (where outcome = 'won') as won_leads,
        count(*) filter (where not is_mql and is_won) as missed_leads,
        coalesce(sum(won_revenue) filter (where not is_mql and is_won), 0)::double
            as missed_revenue,
        avg(lead_score) filter (where not is_mql and is_won) as missed_mean_score,
        max(lead_score) filter (where not is_mql and is_won) as missed_max_score
    from lead_facts
),

revenue as (
    select coalesce(sum(d.amount) filter (where d.is_won), 0)::double as won_revenue
    from deal_base d
    join lead_facts l using (lead_id)
),

final as (
    select
        (select count(*) from false_rejected) as false_rejections,
        (select coalesce(sum(revenue), 0) from false_rejected)::double
            as false_rejection_revenue,
        l.rejected,
        (select count(*) from false_rejected) / nullif(l.rejected, 0) as false_rejection_rate,
        coalesce((select source from top_source), '') as top_source,
        coalesce((select n from top_source), 0) as top_source_count,
        coalesce((select rejection_reason from top_reason), '') as top_reason,
        coalesce((select n from top_reason), 0) as top_reason_count,
        l.missed_leads,
        l.missed_revenue,
        l.won_leads,
        l.missed_leads / nullif(l.won_leads, 0) as missed_rate,
        l.missed_mean_score::double as missed_mean_score,
        l.missed_max_score::double as missed_max_score,
        l.pending_past_sla,
        l.handed_off,
        l.pending_past_sla / nullif(l.handed_off, 0) as pending_rate,
        coalesce(r.won_revenue / nullif(l.handed_off, 0), 0) as revenue_per_handed_off,
        l.pending_past_sla * coalesce(r.won_revenue / nullif(l.handed_off, 0), 0)
            as pending_impact
    from leads l, revenue r
)

select * from final
