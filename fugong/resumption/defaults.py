"""The default rules loaded by migration 0002: the “十到位” checklist (domain-rules §3) and the application's
allowed transitions. After loading they are data: the district admin edits the checklist by publishing a new
version; these constants are only the first version."""

from __future__ import annotations

import datetime as dt

CHECKLIST_SOURCE = "苏仙区企业复工复产疫情防控“十到位”标准（2020年2月）"
CHECKLIST_EFFECTIVE_FROM = dt.date(2020, 2, 1)

# (order, title, description, mandatory, evidence)
CHECKLIST_ITEMS: tuple[tuple[int, str, str, bool, str], ...] = (
    (1, "组织机构到位", "成立由主要负责人牵头的疫情防控工作小组；防控方案和应急预案已报备。", True, "document"),
    (2, "员工排查到位", "一人一档；掌握每名员工14天内外出、接触史和上下班轨迹。", True, "note"),
    (3, "健康监测到位", "入口测温，每日两次体温监测；每日汇总上报镇（街道）。", True, "note"),
    (4, "检测到位", "按排查规则需要检测的员工已完成核酸/抗体检测。", False, "document"),
    (5, "物资到位", "口罩、体温计、酒精、洗手液等防疫物资可保障7天以上。", True, "photo"),
    (6, "消杀通风到位", "有消毒记录；保持通风；中央空调关闭或符合安全使用要求。", True, "photo"),
    (7, "错峰分区到位", "错时上班、分区就餐；宿舍每间不超过6人、人均不少于2.5平方米。", True, "note"),
    (8, "隔离场所到位", "设置临时隔离观察室。", False, "photo"),
    (9, "宣传培训到位", "对员工开展疫情防控培训。", True, "note"),
    (10, "安全生产到位", "复产前完成设备检修和安全隐患排查。", True, "document"),
)

WORKFLOW_SOURCE = "复工申请办理流程：企业申请、镇（街道）现场核查、区复工办备案"

# (action, from, to, approval)
TRANSITIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("submit", "draft", "submitted", False),
    ("withdraw", "draft", "withdrawn", False),
    ("withdraw", "submitted", "withdrawn", False),
    ("withdraw", "rectifying", "withdrawn", False),
    ("withdraw", "reinspect", "withdrawn", False),
    ("withdraw", "passed", "withdrawn", False),
    ("inspect_pass", "submitted", "passed", True),
    ("inspect_fail", "submitted", "rectifying", True),
    ("report_rectified", "rectifying", "reinspect", False),
    ("inspect_pass", "rectifying", "passed", True),
    ("inspect_fail", "rectifying", "rectifying", True),
    ("inspect_pass", "reinspect", "passed", True),
    ("inspect_fail", "reinspect", "rectifying", True),
    ("reject", "submitted", "rejected", True),
    ("reject", "rectifying", "rejected", True),
    ("reject", "reinspect", "rejected", True),
    ("reject", "passed", "rejected", True),
    ("file", "passed", "filed", True),
)
