-- attribute_lift: for each lead attribute and value, how often the leads sales judged
-- (accepted or rejected) became SQLs, against the overall rate, and how well the
-- attribute as a whole separates SQLs from the rest (information value).
--
-- Attributes are the canonical leads columns that describe the lead before sales
-- works it, plus any segment_* column of the workspace, plus the score in bands of 20.
-- {attribute_columns} and {attribute_names} list the leads table's own columns that match
-- a fixed pattern (dashboard/metrics.py ATTRIBUTE_PATTERN), taken from the workspace
-- schema: identifiers only, no value is pasted in. Attributes with no value on any judged lead or more than 30 distinct
-- values are left out. An empty value is its own row, '(not set)'.
with

judged as (
    -- lead_facts carries every column of the leads table; segment_value is the sidebar's
    -- segment filter, not an attribute
    select * exclude (segment_value)
    from lead_facts
    where sales_verdict in ('accepted', 'rejected')
),

attributes as (
    select
        is_sql,
        sales_verdict,
        {attribute_columns},
        score_band  -- lead_facts' bands of 20
    from judged
),

-- one row per judged lead and attribute, carrying the lead's verdicts (no join back)
long as (
    select is_sql, sales_verdict, attribute, value
    from attributes
    unpivot include nulls (
        value for attribute in ({attribute_names}, score_band)
    )
),

cells as (
    select
        attribute,
        coalesce(value, '(not set)') as value,
        count(*) as judged,
        count(*) filter (where is_sql) as sqls,
        count(*) filter (where sales_verdict = 'rejected') as rejected,
        count(value) as n_set
    from long
    group by attribute, coalesce(value, '(not set)')
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
        (c.sqls + 0.5e0)
            / (o.n_sqls + 0.5e0 * (count(*) over (partition by c.attribute))) as sql_share,
        (c.judged - c.sqls + 0.5e0)
            / (o.n_other + 0.5e0 * (count(*) over (partition by c.attribute))) as other_share,
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
