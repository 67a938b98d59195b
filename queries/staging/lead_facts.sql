-- lead_facts: one row per lead that passes the filters, with every stage as the shared
-- definitions read it, its deal outcome, and its cohort.
--
-- Parameters arrive as session variables set by dashboard/metrics.py from bound values:
--   mql_score_threshold, mql_basis ('date' | 'score'), cohort_basis ('created' | 'mql'),
--   currency, date_from, date_to, sources, campaigns, owners, segment_values, as_of.
-- {dimension} and {segment} are CASE expressions over the leads table's own columns,
-- generated from the workspace schema (identifiers only; values are never pasted in).
create or replace temp view lead_facts as
with

leads_in as (
    select * from leads
),

-- marketing's verdict: the CRM's MQL date when the CRM records MQL dates at all,
-- otherwise the score threshold (the lead counts as an MQL from its creation)
stages as (
    select
        *,
        case
            when getvariable('mql_basis') = 'date' then mql_at
            when lead_score >= getvariable('mql_score_threshold') then created_at
        end as mql_at_eff
    from leads_in
),

handoff as (
    select
        *,
        -- routed to sales: the handoff date, else the MQL date when an owner is set
        coalesce(handed_off_at, case when owner is not null then mql_at_eff end)
            as handed_off_at_eff
    from stages
),

deal_summary as (
    select
        lead_id,
        count(*) as n_deals,
        min(created_at) as first_deal_at,
        bool_or(coalesce(is_won, false)) as has_won_deal,
        bool_or(not coalesce(is_closed, false)) as has_open_deal,
        min(closed_at) filter (where is_won) as first_won_at,
        count(*) filter (where is_won) as n_won_deals,
        coalesce(sum(amount) filter (
            where is_won and (currency is null or currency = getvariable('currency'))
        ), 0) as won_revenue,
        coalesce(sum(amount) filter (
            where not coalesce(is_closed, false)
              and (currency is null or currency = getvariable('currency'))
        ), 0) as open_pipeline
    from deals
    where lead_id is not null
    group by lead_id
),

joined as (
    select
        h.*,
        coalesce(d.n_deals, 0) as n_deals,
        d.first_deal_at,
        coalesce(d.n_won_deals, 0) as n_won_deals,
        d.first_won_at,
        coalesce(d.won_revenue, 0) as won_revenue,
        coalesce(d.open_pipeline, 0) as open_pipeline,
        coalesce(d.has_won_deal, false) as is_won,
        coalesce(d.has_open_deal, false) as has_open_deal
    from handoff h
    left join deal_summary d using (lead_id)
),

final as (
    select
        *,
        mql_at_eff is not null as is_mql,
        handed_off_at_eff is not null as is_handed_off,
        accepted_at is not null or sql_at is not null as is_accepted,
        rejected_at is not null as is_rejected,
        sql_at is not null as is_sql,
        n_deals > 0 as is_opportunity,
        -- the earliest of SQL, rejection and first deal: when sales resolved the lead
        least(sql_at, rejected_at, first_deal_at) as resolved_at,
        -- a rep who opened a deal accepted the lead, even when the CRM kept no accept date
        case
            when sql_at is not null or accepted_at is not null then 'accepted'
            when rejected_at is not null then 'rejected'
            when n_deals > 0 then 'accepted'
            else 'never worked'
        end as sales_verdict,
        case
            when is_won then 'won'
            when has_open_deal then 'open'
            when n_deals > 0 then 'lost'
            else 'no deal'
        end as outcome,
        case
            when getvariable('cohort_basis') = 'mql' then mql_at_eff
            else created_at
        end as cohort_at,
        {dimension} as dimension,
        {segment} as segment_value
    from joined
)

select
    *,
    date_trunc('month', cohort_at)::date as cohort_month
from final
where (getvariable('date_from') is null or cohort_at >= getvariable('date_from'))
  and (getvariable('date_to') is null or cohort_at < getvariable('date_to') + interval 1 day)
  and (len(getvariable('sources')) = 0 or list_contains(getvariable('sources'), source))
  and (len(getvariable('campaigns')) = 0 or list_contains(getvariable('campaigns'), campaign))
  and (len(getvariable('owners')) = 0 or list_contains(getvariable('owners'), owner))
  and (
      len(getvariable('segment_values')) = 0
      or list_contains(getvariable('segment_values'), segment_value)
  )
