-- lead_base: one row per lead (no filters), with every stage as the shared definitions
-- read it, its deal outcome and its activity count. It depends on settings only, so the
-- workspace keeps a copy built with the stored settings (see dashboard/metrics.py) and
-- metrics filter that copy instead of recomputing it.
--
-- Session variables: mql_score_threshold, mql_basis ('date' | 'score'), money_known (some
-- deal has an amount in the currency: else every amount is NULL); currency through
-- deal_base.
--
-- Won implies closed: a deal flagged won is closed whatever its closed flag says (the
-- load stores it so; this also holds for workspaces loaded before it did).
create or replace temp view lead_base as
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

-- amounts from deal_base are in the reporting currency (NULL otherwise), so the sums count
-- only those
deal_summary as (
    select
        lead_id,
        count(*) as n_deals,
        min(created_at) as first_deal_at,
        bool_or(is_won) as has_won_deal,
        bool_or(not is_decided) as has_open_deal,
        min(closed_at) filter (where is_won) as first_won_at,
        count(*) filter (where is_won) as n_won_deals,
        coalesce(sum(amount) filter (where is_won), 0) as won_revenue,
        coalesce(sum(amount) filter (where not is_decided), 0) as open_pipeline
    from deal_base
    where lead_id is not null
    group by lead_id
),

-- every activity of any type, so counts of "untouched" leads need no scan of activities
activity_summary as (
    select lead_id, count(*) as n_activities
    from activities
    group by lead_id
),

joined as (
    select
        h.*,
        coalesce(a.n_activities, 0) as n_activities,
        coalesce(d.n_deals, 0) as n_deals,
        d.first_deal_at,
        coalesce(d.n_won_deals, 0) as n_won_deals,
        d.first_won_at,
        -- unknown, not zero, when no deal has an amount in the reporting currency
        case when getvariable('money_known') then coalesce(d.won_revenue, 0) end
            as won_revenue,
        case when getvariable('money_known') then coalesce(d.open_pipeline, 0) end
            as open_pipeline,
        coalesce(d.has_won_deal, false) as is_won,
        coalesce(d.has_open_deal, false) as has_open_deal
    from handoff h
    left join deal_summary d using (lead_id)
    left join activity_summary a using (lead_id)
),

final as (
    select
        *,
        mql_at_eff is not null as is_mql,
        handed_off_at_eff is not null as is_handed_off,
        -- accepted: one definition for the handoff rate, the funnel and sales's verdict.
        -- An accepted or SQL date; or a deal on a lead sales never rejected (a rep who
        -- opened a deal accepted the lead, even when the CRM kept no accept date)
        accepted_at is not null or sql_at is not null or (n_deals > 0 and rejected_at is null)
            as is_accepted,
        -- when it was accepted: the accepted date, else the SQL date, else the first deal
        case
            when accepted_at is not null or sql_at is not null then coalesce(accepted_at, sql_at)
            when n_deals > 0 and rejected_at is null then first_deal_at
        end as accepted_at_eff,
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
        n_activities = 0 as has_no_activity
    from joined
)

select * from final
