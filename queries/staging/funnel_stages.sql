-- funnel_stages: the forward funnel's stages in order, with the name the metrics give
-- each stage and its label. Rejection is not a forward stage (see the handoff metric).
-- funnel and funnel_cohort read it; their stage columns 1..7 follow stage_order.
create or replace temp view funnel_stages as
select *
from (
    values
        (1, 'lead', 'Lead'),
        (2, 'mql', 'MQL'),
        (3, 'handed_off', 'Handed off'),
        (4, 'accepted', 'SAL (accepted)'),
        (5, 'sql', 'SQL'),
        (6, 'opportunity', 'Opportunity'),
        (7, 'won', 'Won')
) as stages (stage_order, stage, stage_label)
