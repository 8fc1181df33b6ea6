"""The demo menu: a Japanese quick-service menu with its kitchen stations (``manage.py seed_demo``).

Idempotent: seeding again updates the same rows and adds nothing twice.
"""

from __future__ import annotations

from menu.models import Category, MenuItem, Modifier, ModifierGroup, Station

STATIONS = [
    ("grill", "グリル", "Grill"),
    ("fryer", "フライヤー", "Fryer"),
    ("drinks", "ドリンク", "Drinks"),
]

CATEGORIES = [
    ("bowls", "丼・カレー", "Bowls & curry"),
    ("burgers", "バーガー", "Burgers"),
    ("sides", "サイド", "Sides"),
    ("drinks", "ドリンク", "Drinks"),
    ("alcohol", "アルコール", "Alcohol"),
    ("desserts", "デザート", "Desserts"),
    ("other", "その他", "Other"),
]

# (code, ja, en, min, max, [(code, ja, en, price delta)])
MODIFIER_GROUPS = [
    ("bowl_size", "サイズ", "Size", 1, 1, [
        ("size_nami", "並盛", "Regular", 0), ("size_oomori", "大盛", "Large", 110), ("size_tokumori", "特盛", "Extra large", 220)]),
    ("bowl_top", "トッピング", "Toppings", 0, 3, [
        ("top_egg", "生卵", "Raw egg", 80), ("top_cheese", "チーズ", "Cheese", 130), ("top_no_negi", "ねぎ抜き", "No green onion", 0)]),
    ("burger_opt", "バーガー変更", "Burger options", 0, 3, [
        ("extra_cheese", "チーズ追加", "Extra cheese", 60), ("no_onion", "オニオン抜き", "No onion", 0), ("no_pickles", "ピクルス抜き", "No pickles", 0)]),
    ("drink_size", "ドリンクサイズ", "Drink size", 1, 1, [
        ("drink_s", "S", "Small", 0), ("drink_m", "M", "Medium", 50), ("drink_l", "L", "Large", 100)]),
    ("ice", "氷", "Ice", 0, 1, [("less_ice", "氷少なめ", "Less ice", 0), ("no_ice", "氷なし", "No ice", 0)]),
]

# (sku, ja, en, category, price, tax class, station, modifier groups, take-out allowed)
ITEMS = [
    ("GYUDON", "牛丼", "Beef bowl", "bowls", 468, "food", "grill", ["bowl_size", "bowl_top"], True),
    ("BUTADON", "豚丼", "Pork bowl", "bowls", 448, "food", "grill", ["bowl_size", "bowl_top"], True),
    ("OYAKODON", "親子丼", "Chicken and egg bowl", "bowls", 590, "food", "grill", ["bowl_size"], True),
    ("CURRY", "カレーライス", "Curry rice", "bowls", 530, "food", "grill", ["bowl_size", "bowl_top"], True),
    ("KATSUCURRY", "カツカレー", "Pork cutlet curry", "bowls", 790, "food", "fryer", ["bowl_size"], True),
    ("HAMBURGER", "ハンバーガー", "Hamburger", "burgers", 190, "food", "grill", ["burger_opt"], True),
    ("CHEESEBURGER", "チーズバーガー", "Cheeseburger", "burgers", 240, "food", "grill", ["burger_opt"], True),
    ("TERIYAKI", "てりやきバーガー", "Teriyaki burger", "burgers", 390, "food", "grill", ["burger_opt"], True),
    ("EBIFILET", "えびフィレオ", "Shrimp burger", "burgers", 420, "food", "fryer", ["burger_opt"], True),
    ("FRIES", "フライドポテト", "French fries", "sides", 250, "food", "fryer", [], True),
    ("KARAAGE", "唐揚げ 3個", "Fried chicken (3)", "sides", 320, "food", "fryer", [], True),
    ("NUGGETS", "ナゲット 5個", "Nuggets (5)", "sides", 290, "food", "fryer", [], True),
    ("MISOSOUP", "みそ汁", "Miso soup", "sides", 80, "food", "grill", [], True),
    ("SALAD", "サラダ", "Side salad", "sides", 150, "food", "grill", [], True),
    ("COLA", "コーラ", "Cola", "drinks", 150, "food", "drinks", ["drink_size", "ice"], True),
    ("OOLONG", "ウーロン茶", "Oolong tea", "drinks", 150, "food", "drinks", ["drink_size", "ice"], True),
    ("COFFEE", "ホットコーヒー", "Hot coffee", "drinks", 120, "food", "drinks", ["drink_size"], True),
    ("ORANGE", "オレンジジュース", "Orange juice", "drinks", 180, "food", "drinks", ["drink_size", "ice"], True),
    ("BEER", "生ビール", "Draft beer", "alcohol", 550, "alcohol", "drinks", [], True),
    ("HIGHBALL", "ハイボール", "Highball", "alcohol", 450, "alcohol", "drinks", ["ice"], True),
    ("SAKE", "冷酒", "Cold sake", "alcohol", 600, "alcohol", "drinks", [], False),
    ("SOFTCREAM", "ソフトクリーム", "Soft serve", "desserts", 200, "food", "drinks", [], True),
    ("PUDDING", "プリン", "Custard pudding", "desserts", 250, "food", "drinks", [], True),
    ("BAG", "レジ袋", "Plastic bag", "other", 5, "other", None, [], True),
]


def demo_menu_seed() -> None:
    """Write the demo stations, categories, modifier groups and items."""
    stations = {
        code: Station.objects.update_or_create(code=code, defaults={"name_ja": ja, "name_en": en, "position": i})[0]
        for i, (code, ja, en) in enumerate(STATIONS)
    }
    categories = {
        code: Category.objects.update_or_create(code=code, defaults={"name_ja": ja, "name_en": en, "position": i})[0]
        for i, (code, ja, en) in enumerate(CATEGORIES)
    }
    groups = _modifier_groups()
    for i, (sku, ja, en, category, price, tax_class, station, mods, takeout) in enumerate(ITEMS):
        item, _ = MenuItem.objects.update_or_create(
            sku=sku,
            defaults={
                "name_ja": ja, "name_en": en, "category": categories[category], "price": price,
                "tax_class": tax_class, "station": stations[station] if station else None, "takeout_ok": takeout, "position": i,
            },
        )
        item.modifier_groups.set([groups[g] for g in mods])


def _modifier_groups() -> dict[str, ModifierGroup]:
    groups = {}
    for i, (code, ja, en, low, high, modifiers) in enumerate(MODIFIER_GROUPS):
        group, _ = ModifierGroup.objects.update_or_create(
            code=code, defaults={"name_ja": ja, "name_en": en, "min_choices": low, "max_choices": high, "position": i}
        )
        for j, (mcode, mja, men, delta) in enumerate(modifiers):
            Modifier.objects.update_or_create(
                code=mcode, defaults={"group": group, "name_ja": mja, "name_en": men, "price_delta": delta, "position": j}
            )
        groups[code] = group
    return groups
