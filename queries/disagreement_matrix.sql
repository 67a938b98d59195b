-- disagreement_matrix: marketing verdict x sales verdict x outcome, every combination
-- present (0 where empty), in a fixed order.
with

leads as (
    select
        case when is_mql then 'MQL' else 'not MQL' end as marketing_verdict,
        sales_verdict,
        outcome,
        won_revenue
    from lead_facts
),

marketing_verdicts(marketing_verdict, m_order) as (
    values ('MQL', 1), ('not MQL', 2)
),

sales_verdicts(sales_verdict, s_order) as (
    values ('accepted', 1), ('rejected', 2), ('never worked', 3)
),

outcomes(outcome, o_order) as (
    values ('won', 1), ('open', 2), ('lost', 3), ('no deal', 4)
),

grid as (
    select * from marketing_verdicts, sales_verdicts, outcomes
),

cells as (
    select
        marketing_verdict,
        sales_verdict,
        outcome,
        count(*) as leads,
        sum(won_revenue) as won_revenue
    from leads
    group by all
),

total as (
    select count(*) as all_leads from leads
),

final as (
    select
        g.marketing_verdict,
        g.sales_verdict,
        g.outcome,
        coalesce(c.leads, 0) as leads,
        -- unknown (NULL), not 0, when no deal has an amount in the reporting currency
        case when getvariable('money_known') then coalesce(c.won_revenue, 0)::double end as won_revenue,
        coalesce(c.leads, 0) / nullif(t.all_leads, 0) as share,
        g.m_order,
        g.s_order,
        g.o_order
    from grid g
    cross join total t
    left join cells c using (marketing_verdict, sales_verdict, outcome)
)

select marketing_verdict, sales_verdict, outcome, leads, won_revenue, share
from final
order by m_order, s_order, o_order
