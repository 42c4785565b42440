"""Demo master data: users per role, units, a category tree, brands, products, warehouses, partners.

Deterministic (each generated record depends only on its index) and idempotent: records are
keyed by code/username, and only missing ones are inserted, in batches with ``bulk_create``.
Some products take their code, cost price and pack size from the real SKUs of
``manufacturing_weekly_demand.xlsx`` when that file is present.
"""

import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from apps.accounts.roles import Role, scope_defaults
from apps.demo.seeders import texts
from apps.masterdata.models import (
    Brand,
    Category,
    Customer,
    PriceLevel,
    Product,
    ProductBarcode,
    ProductUnit,
    Supplier,
    Unit,
    Warehouse,
)
from apps.masterdata.services import mnemonic_for

DEMO_PASSWORD = "jxc-demo-2026"  # noqa: S105  (published demo login, printed by seed_demo)
DEMO_PRODUCTS = 200
DEMO_SUPPLIERS = 20
DEMO_CUSTOMERS = 40
BATCH = 1000
EUR_TO_CNY = Decimal("7.8")
CENT = Decimal("0.01")
DATASET_NAME = "manufacturing_weekly_demand.xlsx"

USERS = [
    # username, role, first name, last name
    ("warehouse", Role.WAREHOUSE, "仓管", "王"),
    ("buyer", Role.BUYER, "采购", "李"),
    ("sales", Role.SALES, "销售", "张"),
    ("manager", Role.MANAGER, "经理", "刘"),
    ("admin", Role.ADMIN, "管理员", "陈"),
]

UNITS = [
    ("PCS", "个"),
    ("BTL", "瓶"),
    ("BAG", "袋"),
    ("PACK", "包"),
    ("BOX", "盒"),
    ("CTN", "箱"),
    ("SET", "套"),
    ("EA", "台"),
    ("ROLL", "卷"),
    ("KG", "kg"),
    ("M", "米"),
    ("PEN", "支"),
    ("BOOK", "本"),
    ("BRL", "桶"),
]

# code, name, parent code
CATEGORIES = [
    ("FOOD", "食品饮料", None),
    ("FOOD-DRINK", "饮料", "FOOD"),
    ("FOOD-SNACK", "休闲零食", "FOOD"),
    ("FOOD-GRAIN", "粮油调味", "FOOD"),
    ("HOME", "日用百货", None),
    ("HOME-CLEAN", "清洁用品", "HOME"),
    ("HOME-CARE", "个人护理", "HOME"),
    ("HW", "五金工具", None),
    ("HW-FAST", "紧固件", "HW"),
    ("HW-TOOL", "手动工具", "HW"),
    ("HW-POWER", "电动工具", "HW"),
    ("ELEC", "电工照明", None),
    ("ELEC-CABLE", "电线电缆", "ELEC"),
    ("ELEC-LIGHT", "照明灯具", "ELEC"),
    ("OFFICE", "办公用品", None),
    ("OFFICE-PAPER", "纸张本册", "OFFICE"),
    ("OFFICE-STAT", "书写工具", "OFFICE"),
    ("PARTS", "工业备件", None),
    ("PARTS-SPARE", "机械备件", "PARTS"),
]


@dataclass(frozen=True)
class Item:
    """A kind of product: names, specifications, units and a price band (CNY, purchase)."""

    category: str
    prefix: str
    zh: str
    en: str
    specs: tuple[str, ...]
    unit: str
    pack_unit: str
    pack_ratios: tuple[int, ...]
    price: tuple[str, str]
    brands: tuple[str, ...] = field(default=())


ITEMS = [
    Item(
        "FOOD-DRINK",
        "DRK",
        "饮用天然水",
        "Natural Water",
        ("550ml", "1.5L", "4L"),
        "BTL",
        "CTN",
        (24, 12, 4),
        ("0.8", "6"),
        ("农夫山泉", "怡宝", "康师傅"),
    ),
    Item(
        "FOOD-DRINK",
        "DRK",
        "冰红茶",
        "Iced Black Tea",
        ("500ml", "1L"),
        "BTL",
        "CTN",
        (15, 12),
        ("1.8", "3.5"),
        ("康师傅", "统一"),
    ),
    Item(
        "FOOD-DRINK",
        "DRK",
        "可乐",
        "Cola",
        ("330ml", "500ml", "2L"),
        "BTL",
        "CTN",
        (24, 24, 6),
        ("1.5", "5.5"),
        ("可口可乐", "百事"),
    ),
    Item(
        "FOOD-DRINK",
        "DRK",
        "橙汁",
        "Orange Juice",
        ("450ml", "1L"),
        "BTL",
        "CTN",
        (15, 12),
        ("2.5", "8"),
        ("美汁源", "汇源"),
    ),
    Item(
        "FOOD-SNACK",
        "SNK",
        "薯片",
        "Potato Chips",
        ("40g", "70g", "104g"),
        "BAG",
        "CTN",
        (50, 22, 22),
        ("2.8", "7"),
        ("乐事", "可比克"),
    ),
    Item(
        "FOOD-SNACK",
        "SNK",
        "夹心饼干",
        "Sandwich Cookies",
        ("97g", "388g"),
        "PACK",
        "CTN",
        (24, 12),
        ("3.5", "14"),
        ("奥利奥", "好丽友"),
    ),
    Item(
        "FOOD-SNACK",
        "SNK",
        "每日坚果",
        "Daily Mixed Nuts",
        ("25g*7", "25g*30"),
        "BOX",
        "CTN",
        (20, 6),
        ("28", "95"),
        ("三只松鼠", "良品铺子"),
    ),
    Item(
        "FOOD-GRAIN",
        "GRN",
        "东北大米",
        "Northeast Rice",
        ("5kg", "10kg"),
        "BAG",
        "BAG",
        (1,),
        ("29", "62"),
        ("金龙鱼", "福临门"),
    ),
    Item(
        "FOOD-GRAIN",
        "GRN",
        "花生油",
        "Peanut Oil",
        ("1.8L", "5L"),
        "BRL",
        "CTN",
        (6, 4),
        ("38", "105"),
        ("鲁花", "金龙鱼"),
    ),
    Item(
        "FOOD-GRAIN",
        "GRN",
        "生抽酱油",
        "Light Soy Sauce",
        ("500ml", "1.9L"),
        "BTL",
        "CTN",
        (12, 6),
        ("6.5", "19"),
        ("海天", "李锦记"),
    ),
    Item(
        "HOME-CLEAN",
        "CLN",
        "洗衣液",
        "Laundry Detergent",
        ("1kg", "2kg", "3kg"),
        "BTL",
        "CTN",
        (12, 6, 4),
        ("12", "42"),
        ("蓝月亮", "立白", "奥妙"),
    ),
    Item(
        "HOME-CLEAN",
        "CLN",
        "洗洁精",
        "Dishwashing Liquid",
        ("500g", "1.29kg"),
        "BTL",
        "CTN",
        (20, 12),
        ("4.5", "11"),
        ("白猫", "立白"),
    ),
    Item(
        "HOME-CLEAN",
        "CLN",
        "垃圾袋",
        "Garbage Bags",
        ("45*50cm 30只", "60*80cm 20只"),
        "ROLL",
        "CTN",
        (100, 60),
        ("2.2", "5.8"),
        ("妙洁", "美丽雅"),
    ),
    Item(
        "HOME-CARE",
        "CAR",
        "洗发水",
        "Shampoo",
        ("200ml", "400ml", "750ml"),
        "BTL",
        "CTN",
        (24, 12, 8),
        ("15", "52"),
        ("海飞丝", "清扬", "潘婷"),
    ),
    Item(
        "HOME-CARE",
        "CAR",
        "牙膏",
        "Toothpaste",
        ("90g", "140g"),
        "PCS",
        "CTN",
        (72, 48),
        ("5.5", "12"),
        ("高露洁", "云南白药", "黑人"),
    ),
    Item(
        "HOME-CARE",
        "CAR",
        "抽纸",
        "Facial Tissue",
        ("3层100抽*6包", "3层130抽*18包"),
        "PACK",
        "CTN",
        (8, 3),
        ("11", "35"),
        ("清风", "维达", "心相印"),
    ),
    Item(
        "HW-FAST",
        "FST",
        "外六角螺栓",
        "Hex Head Bolt",
        ("M6*20", "M8*30", "M10*40", "M12*50"),
        "PCS",
        "BOX",
        (200, 100, 50, 25),
        ("0.08", "0.9"),
        ("东明", "晋亿"),
    ),
    Item(
        "HW-FAST",
        "FST",
        "十字自攻螺丝",
        "Phillips Self-tapping Screw",
        ("ST3.5*16", "ST4.2*25"),
        "PCS",
        "BOX",
        (1000, 500),
        ("0.02", "0.06"),
        ("东明",),
    ),
    Item(
        "HW-FAST",
        "FST",
        "膨胀螺栓",
        "Expansion Bolt",
        ("M8*80", "M10*100"),
        "PCS",
        "BOX",
        (100, 50),
        ("0.45", "1.2"),
        ("晋亿", "东明"),
    ),
    Item(
        "HW-TOOL",
        "TOL",
        "活动扳手",
        "Adjustable Wrench",
        ('8"', '10"', '12"'),
        "PCS",
        "CTN",
        (60, 40, 30),
        ("18", "46"),
        ("世达 SATA", "史丹利 Stanley"),
    ),
    Item(
        "HW-TOOL",
        "TOL",
        "螺丝刀套装",
        "Screwdriver Set",
        ("6件套", "32件套"),
        "SET",
        "CTN",
        (40, 20),
        ("25", "89"),
        ("世达 SATA", "得力工具"),
    ),
    Item(
        "HW-TOOL",
        "TOL",
        "钢卷尺",
        "Steel Tape Measure",
        ("3m", "5m", "7.5m"),
        "PCS",
        "CTN",
        (100, 60, 48),
        ("6", "22"),
        ("史丹利 Stanley", "得力工具"),
    ),
    Item(
        "HW-POWER",
        "PWR",
        "锂电充电钻",
        "Cordless Drill",
        ("12V", "18V"),
        "EA",
        "CTN",
        (5, 4),
        ("189", "599"),
        ("博世 Bosch", "东成"),
    ),
    Item(
        "HW-POWER",
        "PWR",
        "角磨机",
        "Angle Grinder",
        ("100mm 750W", "125mm 1200W"),
        "EA",
        "CTN",
        (6, 4),
        ("139", "368"),
        ("博世 Bosch", "东成"),
    ),
    Item(
        "ELEC-CABLE",
        "CBL",
        "BV铜芯线",
        "BV Copper Wire",
        ("1.5mm²", "2.5mm²", "4mm²"),
        "M",
        "ROLL",
        (100, 100, 100),
        ("1.1", "3.6"),
        ("远东", "熊猫"),
    ),
    Item(
        "ELEC-CABLE",
        "CBL",
        "六类网线",
        "Cat6 Network Cable",
        ("305m/箱",),
        "M",
        "CTN",
        (305,),
        ("1.2", "2.4"),
        ("绿联", "安普 AMP"),
    ),
    Item(
        "ELEC-LIGHT",
        "LGT",
        "LED球泡灯",
        "LED Bulb",
        ("E27 9W", "E27 12W", "E27 18W"),
        "PCS",
        "CTN",
        (50, 50, 40),
        ("5.5", "16"),
        ("欧普照明", "飞利浦 Philips", "雷士"),
    ),
    Item(
        "ELEC-LIGHT",
        "LGT",
        "T8灯管",
        "T8 LED Tube",
        ("0.6m 9W", "1.2m 18W"),
        "PCS",
        "CTN",
        (25, 25),
        ("9", "19"),
        ("欧普照明", "雷士"),
    ),
    Item(
        "OFFICE-PAPER",
        "PAP",
        "复印纸",
        "Copy Paper",
        ("A4 70g 500张", "A4 80g 500张", "A3 70g 500张"),
        "PACK",
        "CTN",
        (5, 5, 5),
        ("18", "45"),
        ("得力", "亚太森博"),
    ),
    Item(
        "OFFICE-PAPER",
        "PAP",
        "笔记本",
        "Notebook",
        ("A5 60页", "B5 80页"),
        "BOOK",
        "CTN",
        (80, 60),
        ("2.5", "6.5"),
        ("得力", "晨光"),
    ),
    Item(
        "OFFICE-STAT",
        "STA",
        "中性笔",
        "Gel Pen",
        ("0.5mm 黑", "0.5mm 蓝", "0.38mm 黑"),
        "PEN",
        "BOX",
        (12, 12, 12),
        ("0.9", "2.5"),
        ("晨光", "得力", "斑马 Zebra"),
    ),
    Item(
        "OFFICE-STAT",
        "STA",
        "记号笔",
        "Permanent Marker",
        ("粗头 黑", "细头 红"),
        "PEN",
        "BOX",
        (10, 10),
        ("1.5", "3.2"),
        ("晨光", "得力"),
    ),
]

# The specifications that carry Chinese words, as an English-language demo writes them.
SPECS_EN = {
    "45*50cm 30只": "45*50cm, 30 bags",
    "60*80cm 20只": "60*80cm, 20 bags",
    "3层100抽*6包": "3-ply, 100 sheets, 6 packs",
    "3层130抽*18包": "3-ply, 130 sheets, 18 packs",
    "6件套": "6-piece set",
    "32件套": "32-piece set",
    "305m/箱": "305 m per box",
    "A4 70g 500张": "A4 70g, 500 sheets",
    "A4 80g 500张": "A4 80g, 500 sheets",
    "A3 70g 500张": "A3 70g, 500 sheets",
    "A5 60页": "A5, 60 pages",
    "B5 80页": "B5, 80 pages",
    "0.5mm 黑": "0.5mm black",
    "0.5mm 蓝": "0.5mm blue",
    "0.38mm 黑": "0.38mm black",
    "粗头 黑": "broad tip, black",
    "细头 红": "fine tip, red",
}

SPARE_PARTS = Item("PARTS-SPARE", "MFG", "机械备件", "Spare Part", ("标准件",), "PCS", "PACK", (1,), ("1", "100"))
SPARE_NAMES = [
    ("深沟球轴承", "Deep Groove Ball Bearing"),
    ("O型密封圈", "O-ring Seal"),
    ("同步带", "Timing Belt"),
    ("电磁阀", "Solenoid Valve"),
    ("接近开关", "Proximity Switch"),
    ("气缸", "Pneumatic Cylinder"),
    ("联轴器", "Shaft Coupling"),
    ("直线导轨滑块", "Linear Guide Block"),
]

CITIES = [
    "广州",
    "深圳",
    "东莞",
    "佛山",
    "上海",
    "苏州",
    "杭州",
    "宁波",
    "北京",
    "天津",
    "成都",
    "武汉",
    "长沙",
    "郑州",
]
SUPPLIER_WORDS = ["华润", "恒达", "永兴", "鑫源", "宏图", "金盛", "瑞丰", "海纳", "百川", "同创", "正泰", "凯旋"]
SUPPLIER_TRADES = ["食品贸易", "日化用品", "五金机电", "电气设备", "办公用品", "供应链管理", "工业配件"]
CUSTOMER_WORDS = [
    "好又多",
    "家家乐",
    "惠民",
    "万家福",
    "利群",
    "永辉",
    "新世纪",
    "百佳",
    "美宜佳",
    "安达",
    "合众",
    "顺发",
]
CUSTOMER_KINDS = ["超市", "便利店", "五金店", "建材商行", "文具店", "机电设备有限公司", "物业管理有限公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
BANKS = ["中国工商银行", "中国建设银行", "招商银行", "中国银行", "交通银行", "中国农业银行"]

WAREHOUSES = [
    ("WH01", "总仓", "广州市白云区太和镇物流园8号", True),
    ("WH02", "北京分仓", "北京市大兴区亦庄经济开发区科创街12号", False),
    ("WH03", "上海分仓", "上海市嘉定区江桥镇华江路188号", False),
    ("WH04", "门店仓", "广州市天河区天河路385号负一层", False),
]


# ---------------------------------------------------------------------------------------------
# Helpers


def ean13(body12: str) -> str:
    """``body12`` with its EAN-13 check digit appended."""
    return body12 + _check_digit(body12)


def gtin14(body13: str) -> str:
    """``body13`` with its GTIN-14 (case code) check digit appended."""
    return body13 + _check_digit(body13)


def _check_digit(body: str) -> str:
    # Weights 3,1,3,1… from the rightmost digit of the body (GS1 mod-10).
    total = sum(int(digit) * (3 if index % 2 == 0 else 1) for index, digit in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _price_between(rng: random.Random, low: str, high: str) -> Decimal:
    low_d, high_d = Decimal(low), Decimal(high)
    return _money(low_d + (high_d - low_d) * Decimal(rng.randint(0, 1000)) / 1000)


def dataset_path() -> Path | None:
    """Where the SKU data set is: $JXC_DATASETS_DIR, or ../shared/datasets beside the repository."""
    candidates = []
    if os.environ.get("JXC_DATASETS_DIR"):
        candidates.append(Path(os.environ["JXC_DATASETS_DIR"]))
    base = Path(settings.BASE_DIR)
    candidates += [base.parent / "shared" / "datasets", base.parent.parent / "shared" / "datasets"]
    for folder in candidates:
        if (folder / DATASET_NAME).is_file():
            return folder / DATASET_NAME
    return None


def dataset_skus(limit: int) -> list[tuple[int, int, Decimal, int]]:
    """Up to ``limit`` real SKUs as (number, pack size, cost price EUR, MOQ); [] without the file."""
    path = dataset_path()
    if path is None or limit <= 0:
        return []
    from openpyxl import load_workbook

    skus = []
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        sheet = workbook["Data"]
        for row in sheet.iter_rows(min_row=7, max_row=6 + limit, max_col=8, values_only=True):
            try:
                number, pack, cost, moq = int(row[0]), int(row[1] or 1), Decimal(str(row[2])), int(row[7] or 1)
            except (TypeError, ValueError, ArithmeticError):
                continue  # a messy row of the real export: skip it
            if cost > 0:
                skus.append((number, max(pack, 1), cost, max(moq, 1)))
        workbook.close()
    except (OSError, KeyError, ValueError):
        return []
    return skus


# ---------------------------------------------------------------------------------------------
# Seeding


def seed_users() -> list[tuple[str, str]]:
    """One user per role; the password is (re)set to the demo password so the printed logins work."""
    user_model = get_user_model()
    rows = []
    for username, role, first_name, last_name in USERS:
        user, _created = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.email = f"{username}@demo.jxc"
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.is_active = True
        # The demo keeps each role's usual data scope: the warehouse keeper sees the assigned
        # warehouses, the sales clerk their own customers, everyone else all.
        for flag, value in scope_defaults([role]).items():
            setattr(user, flag, value)
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        rows.append((username, role))
    return rows


def seed_reference_data() -> None:
    for code, name in UNITS:
        Unit.objects.get_or_create(code=code, defaults={"name": name})
    by_code: dict[str, Category] = {}
    for code, name, parent in CATEGORIES:
        by_code[code], _created = Category.objects.get_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent)}
        )
    brands = sorted({brand for item in ITEMS for brand in item.brands})
    existing = set(Brand.objects.values_list("name", flat=True))
    Brand.objects.bulk_create([Brand(name=name) for name in brands if name not in existing])


def seed_warehouses() -> None:
    user_model = get_user_model()
    keeper = user_model.objects.get(username="warehouse")
    manager = user_model.objects.get(username="manager")
    for code, name, address, assigned in WAREHOUSES:
        warehouse, created = Warehouse.objects.get_or_create(
            code=code, defaults={"name": name, "address": address, "manager": manager}
        )
        if created and assigned:
            warehouse.assigned_users.add(keeper)


def seed_extra_warehouses(count: int) -> int:
    """Make sure at least ``count`` warehouses exist (benchmark data); returns how many were added."""
    existing = Warehouse.objects.count()
    Warehouse.objects.bulk_create(
        [
            Warehouse(code=f"BW{number:03d}", name=f"Bench warehouse {number:03d}")
            for number in range(existing + 1, count + 1)
        ]
    )
    return max(count - existing, 0)


def product_rows(count: int) -> Iterator[dict]:
    """The first ``count`` demo products; product ``i`` depends only on ``i``."""
    spare_every = 5
    skus = dataset_skus(count // spare_every + 1)
    for index in range(count):
        rng = random.Random(f"jxc-demo-product-{index}")  # noqa: S311  (demo data, not crypto)
        if index % spare_every == spare_every - 1:
            yield _spare_part(index, rng, skus)
            continue
        item = ITEMS[index % len(ITEMS)]
        variant = index // len(ITEMS)
        spec_index = variant % len(item.specs)
        brand = item.brands[(variant // len(item.specs)) % len(item.brands)]
        spec = item.specs[spec_index]
        purchase = _price_between(rng, *item.price)
        ratio = item.pack_ratios[spec_index % len(item.pack_ratios)]
        if texts.is_chinese():
            name = f"{brand.split(' ')[0]} {item.zh} {spec}"
        else:
            spec = SPECS_EN.get(spec, spec)
            name = f"{item.en} {spec}"
        yield {
            "index": index,
            "code": f"{item.prefix}{index + 1:05d}",
            "name": name[:128],
            "specification": spec[:128],
            "model_number": f"{item.prefix}-{spec_index + 1}{variant % 10}",
            "category": item.category,
            "brand": brand,
            "unit": item.unit,
            "pack_unit": item.pack_unit if ratio > 1 else None,
            "ratio": ratio,
            "purchase": purchase,
        }


def _spare_part(index: int, rng: random.Random, skus: list) -> dict:
    zh, en = SPARE_NAMES[index % len(SPARE_NAMES)]
    position = index // 5
    if skus:
        number, pack, cost, _moq = skus[position % len(skus)]
        cycle = position // len(skus)
        code = f"MFG{number:05d}" + (f"-{cycle}" if cycle else "")
        purchase = _money(cost * EUR_TO_CNY)
        spec = texts.part_number(number)
    else:
        pack, _moq = rng.choice((1, 1, 5, 10)), rng.choice((1, 10, 50))
        code = f"MFG{index + 1:05d}"
        purchase = _price_between(rng, *SPARE_PARTS.price)
        spec = str(texts.STANDARD_PART)
    return {
        "index": index,
        "code": code,
        "name": zh if texts.is_chinese() else en,
        "specification": spec,
        "model_number": f"SP-{index + 1:05d}",
        "category": SPARE_PARTS.category,
        "brand": None,
        "unit": SPARE_PARTS.unit,
        "pack_unit": SPARE_PARTS.pack_unit if pack > 1 else None,
        "ratio": pack,
        "purchase": purchase,
    }


def seed_products(count: int) -> int:
    """Insert the missing ones of the first ``count`` demo products, with units and barcodes."""
    units = {unit.code: unit for unit in Unit.objects.all()}
    categories = {category.code: category for category in Category.objects.all()}
    brands = {brand.name: brand for brand in Brand.objects.all()}
    existing = set(Product.objects.values_list("code", flat=True))
    created = 0
    batch: list[dict] = []
    for row in product_rows(count):
        if row["code"] in existing:
            continue
        existing.add(row["code"])
        batch.append(row)
        if len(batch) == BATCH:
            created += _insert_products(batch, units, categories, brands)
            batch = []
    if batch:
        created += _insert_products(batch, units, categories, brands)
    return created


def _insert_products(rows: list[dict], units: dict, categories: dict, brands: dict) -> int:
    products = []
    for row in rows:
        purchase = row["purchase"]
        rng = random.Random(f"jxc-demo-price-{row['index']}")  # noqa: S311  (demo data, not crypto)
        sale = _money(purchase * Decimal(rng.choice(("1.18", "1.25", "1.32", "1.40"))))
        retail = _money(sale * Decimal("1.2"))
        products.append(
            Product(
                code=row["code"],
                name=row["name"],
                mnemonic=mnemonic_for(row["name"]),
                specification=row["specification"],
                model_number=row["model_number"],
                category=categories[row["category"]],
                brand=brands.get(row["brand"]) if row["brand"] else None,
                base_unit=units[row["unit"]],
                purchase_price=purchase,
                sale_price=sale,
                retail_price=retail,
                min_sale_price=_money(purchase * Decimal("1.05")),
                tax_rate=Decimal("13.00") if not row["category"].startswith("FOOD") else Decimal("9.00"),
            )
        )
    Product.objects.bulk_create(products, batch_size=BATCH)
    ids = dict(Product.objects.filter(code__in=[row["code"] for row in rows]).values_list("code", "id"))
    secondary, barcodes = [], []
    for row in rows:
        product_id = ids[row["code"]]
        index = row["index"]
        barcodes.append(
            ProductBarcode(product_id=product_id, barcode=ean13(f"69{2000 + index // 10**6:04d}{index % 10**6:06d}"))
        )
        if row["pack_unit"] and row["pack_unit"] != row["unit"]:
            pack_unit = units[row["pack_unit"]]
            secondary.append(ProductUnit(product_id=product_id, unit=pack_unit, ratio=Decimal(row["ratio"])))
            if row["index"] % 3 == 0:
                body = f"1{barcodes[-1].barcode[:12]}"
                barcodes.append(ProductBarcode(product_id=product_id, barcode=gtin14(body), unit=pack_unit))
    ProductUnit.objects.bulk_create(secondary, batch_size=BATCH)
    ProductBarcode.objects.bulk_create(barcodes, batch_size=BATCH)
    return len(products)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def _partner(prefix: str, index: int, words: list[str], kinds: list[str]) -> dict:
    rng = random.Random(f"jxc-demo-{prefix}-{index}")  # noqa: S311  (demo data, not crypto)
    city = CITIES[index % len(CITIES)]
    word = words[(index // len(CITIES)) % len(words)]
    kind = kinds[index % len(kinds)]
    suffix = "" if index < len(CITIES) * len(words) else str(index // (len(CITIES) * len(words)) + 1)
    bank = rng.choice(BANKS)
    return {
        "code": f"{prefix}{index + 1:04d}",
        "name": f"{city}{word}{suffix}{kind}"[:128],
        "contact": f"{rng.choice(SURNAMES)}{rng.choice(('经理', '总', '主管', '小姐', '先生'))}",
        "phone": _phone(rng),
        "email": f"{prefix.lower()}{index + 1:04d}@example.cn",
        "address": f"{city}市{rng.choice(('工业大道', '人民路', '建设路', '解放路', '中山路'))}{rng.randint(1, 999)}号",
        "tax_number": f"91{rng.randint(110000, 659999)}MA{rng.randint(10000000, 99999999):08d}"[:18],
        "bank_name": f"{bank}{city}分行",
        "bank_account": f"6222{rng.randint(10**11, 10**12 - 1)}",
        "payment_terms_days": rng.choice((0, 15, 30, 30, 45, 60)),
        "rng": rng,
    }


def seed_suppliers(count: int) -> int:
    existing = set(Supplier.objects.values_list("code", flat=True))
    rows = (_partner("GYS", index, SUPPLIER_WORDS, [f"{t}有限公司" for t in SUPPLIER_TRADES]) for index in range(count))
    new = []
    for row in rows:
        row.pop("rng")
        if row["code"] not in existing:
            new.append(Supplier(**row))
    Supplier.objects.bulk_create(new, batch_size=BATCH)
    return len(new)


def seed_customers(count: int) -> int:
    user_model = get_user_model()
    salespeople = list(user_model.objects.filter(username__in=("sales", "manager")).order_by("username"))
    existing = set(Customer.objects.values_list("code", flat=True))
    new = []
    for index in range(count):
        row = _partner("KH", index, CUSTOMER_WORDS, CUSTOMER_KINDS)
        rng = row.pop("rng")
        if row["code"] in existing:
            continue
        limit = rng.choice((None, Decimal(20000), Decimal(50000), Decimal(100000), Decimal(300000)))
        new.append(
            Customer(
                **row,
                credit_limit=limit,
                price_level=PriceLevel.RETAIL if index % 7 == 3 else PriceLevel.WHOLESALE,
                discount_percent=Decimal(rng.choice((0, 0, 2, 5))),
                salesperson=salespeople[0 if index % 4 == 0 else 1] if len(salespeople) == 2 else None,
            )
        )
    Customer.objects.bulk_create(new, batch_size=BATCH)
    return len(new)


@transaction.atomic
def seed(*, scale: int | None = None) -> dict:
    """Load the demo master data; ``scale`` = number of products (suppliers/customers follow).

    Returns counts of what was created this run and the demo logins.
    """
    products = scale or DEMO_PRODUCTS
    suppliers = max(DEMO_SUPPLIERS, products // 50)
    customers = max(DEMO_CUSTOMERS, products // 25)
    users = seed_users()
    seed_reference_data()
    seed_warehouses()
    return {
        "users": users,
        "products": seed_products(products),
        "suppliers": seed_suppliers(suppliers),
        "customers": seed_customers(customers),
    }
