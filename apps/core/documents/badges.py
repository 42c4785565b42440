"""One status-badge table for every document, in the colours users expect (GLOSSARY.md):
草稿 grey, 未审核/待审核 red, 审核中 orange, 已审核 green, 部分入库/部分出库 blue, 已完成 cyan,
已作废 dark."""

STATUS_BADGES: dict[str, str] = {
    "draft": "secondary",  # 草稿
    "submitted": "danger",  # 待审核 (purchase order)
    "pending": "danger",  # 待审核 (sales order, stock adjustment above the threshold)
    "approved": "success",  # 已审核
    "confirmed": "success",  # 已审核 (sales order)
    "posted": "success",  # 已过账: stock documents
    "partially_received": "primary",  # 部分入库
    "partial": "primary",  # 部分出库
    "received": "info",  # 已完成
    "completed": "info",  # 已完成
    "closed": "dark",  # 已关闭
    "cancelled": "dark",  # 已作废
    "reversed": "dark",  # 已红冲
}


def badge_for(status: str) -> str:
    return STATUS_BADGES.get(status, "secondary")
