"""The cockpit's pages: file, Chinese title, URL path, section and the permission each needs.

``app.py`` builds the navigation from this list and the viewer's role; the tests walk the same
list, so a new page is covered by the browser and scope tests as soon as it is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from cockpit.scope import Viewer


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to cockpit/
    title: str
    url_path: str
    section: str
    permission: str
    icon: str


PAGES: tuple[PageSpec, ...] = (
    PageSpec("app_pages/overview.py", "总览驾驶舱", "overview", "驾驶舱", "overview", ":material/dashboard:"),
    PageSpec("app_pages/family_beds.py", "家庭养老床位", "family-beds", "驾驶舱", "business", ":material/bed:"),
    PageSpec("app_pages/home_service.py", "居家上门服务", "home-service", "驾驶舱", "business", ":material/home_health:"),
    PageSpec("app_pages/order_review.py", "存疑工单审核", "order-review", "驾驶舱", "review", ":material/policy:"),
    PageSpec("app_pages/institutions.py", "养老机构", "institutions", "驾驶舱", "business", ":material/apartment:"),
    PageSpec("app_pages/maps.py", "设施分布与服务圈", "maps", "驾驶舱", "business", ":material/map:"),
    PageSpec("app_pages/expiry_reminder.py", "服务临过期提醒", "expiry-reminder", "智慧模型", "business", ":material/alarm:"),
    PageSpec("app_pages/demand.py", "服务需求预测", "demand", "智慧模型", "business", ":material/trending_up:"),
    PageSpec("app_pages/archive_elders.py", "老人档案", "elders", "数据档案", "archives", ":material/elderly:"),
    PageSpec("app_pages/archive_resources.py", "服务资源", "resources", "数据档案", "business", ":material/domain:"),
    PageSpec("app_pages/archive_staff.py", "服务队伍", "staff", "数据档案", "archives", ":material/groups:"),
    PageSpec("app_pages/service_quality.py", "服务质量评分", "service-quality", "服务质量", "business", ":material/star_rate:"),
    PageSpec("app_pages/inspection.py", "每日巡检", "inspection", "服务质量", "inspection", ":material/checklist:"),
    PageSpec("app_pages/reports.py", "质量分析报告", "reports", "服务质量", "reports", ":material/description:"),
    PageSpec("app_pages/data_quality.py", "数据质量", "quality", "数据治理", "quality", ":material/fact_check:"),
    PageSpec("app_pages/lineage.py", "数据溯源", "lineage", "数据治理", "lineage", ":material/account_tree:"),
    PageSpec("app_pages/wall.py", "大屏模式", "wall", "大屏", "business", ":material/tv:"),
    PageSpec("app_pages/accounts.py", "账号管理", "accounts", "系统", "accounts", ":material/manage_accounts:"),
    PageSpec("app_pages/security.py", "角色与权限", "security", "系统", "security", ":material/admin_panel_settings:"),
    PageSpec("app_pages/audit_log.py", "审计日志", "audit-log", "系统", "audit", ":material/receipt_long:"),
)  # fmt: skip


def pages_for(viewer: Viewer) -> list[PageSpec]:
    return [p for p in PAGES if viewer.may(p.permission)]
