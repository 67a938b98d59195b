-- attribute_lift: for each lead attribute and value, how often the leads sales judged
-- (accepted or rejected) became SQLs, against the overall rate, and how well the
-- attribute as a whole separates SQLs from the rest (information value).
--
-- Attributes are the canonical leads columns that describe the lead before sales
-- works it, plus any segment_* column of the workspace, plus the score in bands of 20.
-- COLUMNS() picks them by a fixed pattern over the leads table's own columns; no value
-- is pasted in. Attributes with no value on any judged lead or more than 30 distinct
-- values are left out. An empty value is its own row, '(not set)'.
with

judged as (
    select lead_id, is_sql, sales_verdict
    from lead_facts
    where sales_verdict in ('accepted', 'rejected')
),

attributes as (
    select
        lead_id,
        columns(
            '^(source|campaign|temperature|bant_budget|bant_authority|bant_need|bant_timeline|country|region|city|industry|company_size|job_title|segment_.+)$'
        )::varchar,
        case
            when lead_score is null then null
            when lead_score >= 80 and lead_score <= 100 then '80-100'
            else
                cast(floor(lead_score / 20) * 20 as bigint)::varchar || '-'
                || cast(floor(lead_score / 20) * 20 + 19 as bigint)::varchar
        end as score_band
    from leads
    where lead_id in (select lead_id from judged)
),

long as (
    select lead_id, attribute, value
    from attributes
    unpivot include nulls (value for attribute in (columns(* exclude (lead_id))))
),

cells as (
    select
        g.attribute,
        coalesce(g.value, '(not set)') as value,
        count(*) as judged,
        count(*) filter (where j.is_sql) as sqls,
        count(*) filter (where j.sales_verdict = 'rejected') as rejected,
        count(g.value) as n_set
    from long g
    join judged j using (lead_id)
    group by g.attribute, coalesce(g.value, '(not set)')
),

kept as (
    select attribute
    from cells
    group by attribute
    having sum(n_set) > 0 and count(*) filter (where n_set > 0) <= 30
),

overall as (
    select
        count(*) as n_judged,
        count(*) filter (where is_sql) as n_sqls,
        count(*) filter (where not is_sql) as n_other
    from judged
),

-- information value of SQL vs not SQL over the attribute's values, with 0.5 added to
-- each value's counts so that a value with no SQL (or no non-SQL) stays finite
shares as (
    select
        c.*,
        (c.sqls + 0.5)
            / (o.n_sqls + 0.5 * count(*) over (partition by c.attribute)) as sql_share,
        (c.judged - c.sqls + 0.5)
            / (o.n_other + 0.5 * count(*) over (partition by c.attribute)) as other_share,
        o.n_judged,
        o.n_sqls,
        o.n_other
    from cells c
    join kept k using (attribute)
    cross join overall o
),

scored as (
    select
        *,
        case
            when n_sqls > 0 and n_other > 0 then sum(
                (sql_share - other_share) * ln(sql_share / other_share)
            ) over (partition by attribute)
        end as information_value
    from shares
),

final as (
    select
        attribute,
        value,
        judged,
        sqls,
        rejected,
        sqls / judged as sql_rate,
        n_sqls / n_judged as overall_sql_rate,
        (sqls / judged) / nullif(n_sqls / n_judged, 0) as lift,
        information_value
    from scored
)

select * from final
order by information_value desc nulls last, attribute, sql_rate desc, judged desc, value
