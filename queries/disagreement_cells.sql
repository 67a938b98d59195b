-- disagreement_cells: disagreement_matrix's cells added up over the deal outcome: one row
-- per marketing verdict x sales verdict with its leads, share, won revenue and leads per
-- outcome, every combination present (0 where empty), in the matrix's order. The Lead
-- quality page and the report draw the 2x3 matrix from it.
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

grid as (
    select * from marketing_verdicts, sales_verdicts
),

cells as (
    select
        marketing_verdict,
        sales_verdict,
        count(*) as leads,
        sum(won_revenue) as won_revenue,
        count(*) filter (where outcome = 'won') as won,
        count(*) filter (where outcome = 'open') as open,
        count(*) filter (where outcome = 'lost') as lost,
        count(*) filter (where outcome = 'no deal') as no_deal
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
        coalesce(c.leads, 0) as leads,
        coalesce(c.leads, 0) / nullif(t.all_leads, 0) as share,
        coalesce(c.won_revenue, 0)::double as won_revenue,
        coalesce(c.won, 0) as won,
        coalesce(c.open, 0) as open,
        coalesce(c.lost, 0) as lost,
        coalesce(c.no_deal, 0) as no_deal,
        g.m_order,
        g.s_order
    from grid g
    cross join total t
    left join cells c using (marketing_verdict, sales_verdict)
)

select marketing_verdict, sales_verdict, leads, share, won_revenue, won, open, lost, no_deal
from final
order by m_order, s_order
