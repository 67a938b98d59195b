-- disagreement: how often marketing's verdict (MQL or not) and sales's verdict (accepted or
-- rejected) agree, with Cohen's kappa, plus the costly disagreements: MQLs sales never
-- worked, rejected leads that later won (false rejections) and non-MQLs that won (missed).
-- Beside kappa, two agreement figures that a skewed prevalence does not drag to 0: Gwet's
-- AC1 and PABAK (prevalence- and bias-adjusted kappa).
with

leads as (
    select
        lead_id,
        dimension,
        is_mql,
        is_won,
        rejected_at,
        won_revenue,
        -- sales's judgement: the staging verdict, except that a lead sales took to a deal
        -- without recording an acceptance or rejection counts as accepted
        case
            when sales_verdict = 'accepted' then 'accepted'
            when sales_verdict = 'rejected' then 'rejected'
            when n_deals > 0 then 'accepted'
        end as sales_judgement
    from lead_facts
),

-- a false rejection: rejected, and a deal won strictly after the rejection (deal_base:
-- deals reach the filters through their lead; amounts in the reporting currency)
false_rejections as (
    select
        l.lead_id,
        coalesce(sum(d.amount), 0) as revenue
    from leads l
    join deal_base d using (lead_id)
    where d.is_won
      and l.rejected_at is not null
      and d.won_at > l.rejected_at
    group by l.lead_id
),

flags as (
    select
        l.*,
        fr.lead_id is not null as is_false_rejection,
        coalesce(fr.revenue, 0) as false_rejection_revenue,
        not l.is_mql and l.is_won as is_missed
    from leads l
    left join false_rejections fr using (lead_id)
),

counts as (
    select
        dimension,
        count(*) filter (where sales_judgement is not null) as leads_judged,
        count(*) filter (where is_mql and sales_judgement = 'accepted') as agree_qualified,
        count(*) filter (where not is_mql and sales_judgement = 'rejected') as agree_unqualified,
        count(*) filter (where is_mql and sales_judgement = 'rejected') as mql_rejected,
        count(*) filter (where not is_mql and sales_judgement = 'accepted') as non_mql_accepted,
        count(*) filter (where is_mql and sales_judgement is null) as never_worked_mqls,
        count(*) filter (where is_false_rejection) as false_rejections,
        -- money is unknown (NULL), not 0, when no deal has an amount in the currency
        case when getvariable('money_known') then coalesce(sum(false_rejection_revenue), 0)::double end
            as false_rejection_revenue,
        count(*) filter (where is_missed) as missed_leads,
        case when getvariable('money_known') then coalesce(sum(won_revenue) filter (where is_missed), 0)::double end
            as missed_revenue
    from flags
    group by dimension
),

-- Cohen's kappa on the 2x2 table of judged leads:
-- observed agreement p_o = (agree_qualified + agree_unqualified) / n,
-- expected agreement p_e = P(MQL) * P(accepted) + P(not MQL) * P(rejected).
-- Gwet's AC1 takes chance as p_g = 2 pi (1 - pi), pi the mean share of "yes" verdicts
-- (MQL, accepted) of the two teams: unlike kappa it stays high when both teams say "no"
-- to most leads and agree on it (kappa's paradox of a skewed prevalence).
kappa as (
    select
        *,
        (agree_qualified + agree_unqualified) / nullif(leads_judged, 0) as p_o,
        (
            (agree_qualified + mql_rejected)::double * (agree_qualified + non_mql_accepted)
            + (agree_unqualified + non_mql_accepted)::double * (agree_unqualified + mql_rejected)
        ) / nullif(leads_judged::double * leads_judged, 0) as p_e,
        (2e0 * agree_qualified + mql_rejected + non_mql_accepted)
            / nullif(2e0 * leads_judged, 0) as pi_yes
    from counts
),

final as (
    select
        dimension,
        leads_judged,
        agree_qualified,
        agree_unqualified,
        mql_rejected,
        non_mql_accepted,
        p_o as agreement_rate,
        case when p_e < 1 then (p_o - p_e) / (1 - p_e) end as cohens_kappa,
        -- chance agreement 2 pi (1 - pi) is at most 1/2, so AC1 is defined whenever p_o is
        (p_o - 2e0 * pi_yes * (1 - pi_yes)) / (1 - 2e0 * pi_yes * (1 - pi_yes)) as gwet_ac1,
        2e0 * p_o - 1 as pabak,
        never_worked_mqls,
        false_rejections,
        false_rejection_revenue,
        missed_leads,
        missed_revenue
    from kappa
),

-- without --by the answer is one row, even when no lead passes the filters
empty as (
    select
        null::varchar as dimension,
        0::bigint as leads_judged,
        0::bigint as agree_qualified,
        0::bigint as agree_unqualified,
        0::bigint as mql_rejected,
        0::bigint as non_mql_accepted,
        null::double as agreement_rate,
        null::double as cohens_kappa,
        null::double as gwet_ac1,
        null::double as pabak,
        0::bigint as never_worked_mqls,
        0::bigint as false_rejections,
        case when getvariable('money_known') then 0::double end as false_rejection_revenue,
        0::bigint as missed_leads,
        case when getvariable('money_known') then 0::double end as missed_revenue
    where $breakdown = '' and not exists (select 1 from final)
)

select * from final
union all
select * from empty
order by dimension nulls last
