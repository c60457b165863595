"""A believable Chinese catalog generated from word lists: categories, products, SKUs, images."""

import random
from decimal import Decimal

# root category -> {sub-category: product nouns}
CATALOG = {
    "食品饮料": {
        "茶叶": "西湖龙井 普洱茶 铁观音 大红袍 安吉白茶 红茶 茉莉花茶 碧螺春",
        "休闲零食": "牛肉干 坚果礼盒 每日坚果 芒果干 手撕面包 海苔脆 猪肉脯",
        "粮油调味": "五常大米 花生油 橄榄油 酱油 香醋 挂面 小米 黄豆",
        "酒水饮料": "酱香白酒 红葡萄酒 精酿啤酒 气泡水 纯牛奶 酸奶 椰子水",
    },
    "美妆个护": {
        "面部护理": "补水面膜 精华液 保湿面霜 洁面乳 爽肤水 眼霜 防晒霜",
        "彩妆": "口红 粉底液 眼影盘 睫毛膏 气垫BB霜 腮红 眉笔 散粉",
        "洗护": "洗发水 护发素 沐浴露 身体乳 护手霜 牙膏 电动牙刷",
    },
    "服饰鞋包": {
        "女装": "连衣裙 针织开衫 羽绒服 半身裙 阔腿裤 衬衫 卫衣 风衣",
        "男装": "休闲裤 夹克 羊毛衫 商务衬衫 牛仔裤 运动套装 短袖T恤",
        "鞋靴": "运动鞋 帆布鞋 小白鞋 马丁靴 乐福鞋 拖鞋 雪地靴 凉鞋",
        "箱包": "双肩包 行李箱 托特包 钱包 斜挎包 腰包 电脑包 手提包",
    },
    "家居生活": {
        "厨具": "保温杯 不粘锅 炒锅 菜刀套装 砧板 保温饭盒 玻璃水杯 保温壶",
        "床上用品": "四件套 蚕丝被 乳胶枕 羽绒被 凉席 毛毯 床垫 记忆枕",
        "收纳清洁": "收纳箱 衣架 拖把 垃圾袋 洗衣液 抽纸 湿巾 洗洁精",
    },
    "数码家电": {
        "手机配件": "充电宝 数据线 快充头 手机壳 钢化膜 无线充电器 手机支架",
        "耳机音响": "蓝牙耳机 降噪耳机 蓝牙音箱 头戴式耳机 智能音箱 麦克风",
        "生活电器": "空气炸锅 电饭煲 破壁机 电热水壶 吹风机 扫地机器人 加湿器",
    },
    "母婴玩具": {
        "奶粉辅食": "婴儿奶粉 米粉 果泥 磨牙棒 儿童酸奶 营养面条 溶豆",
        "尿裤湿巾": "纸尿裤 拉拉裤 婴儿湿巾 隔尿垫 护臀膏 奶瓶 吸管杯",
        "玩具": "积木 拼图 遥控汽车 毛绒玩具 绘本 滑板车 磁力片 早教机",
    },
    "运动户外": {
        "健身": "瑜伽垫 哑铃 跳绳 弹力带 筋膜枪 健腹轮 运动手环",
        "户外": "帐篷 登山杖 冲锋衣 睡袋 折叠椅 野餐垫 头灯 登山鞋",
    },
    "滋补保健": {
        "营养补充": "维生素C 钙片 鱼油 益生菌 蛋白粉 叶酸 复合维生素",
        "传统滋补": "燕窝 阿胶糕 枸杞 红枣 西洋参 黑芝麻丸 石斛",
    },
}
BRANDS = (
    "悦品 臻选 禾味 山野 良田 优家 暖阳 青禾 初见 拾光 素然 花间 云朵 "
    "小鹿 北纬 南山 东方红 西子 江南 草木 一品 鲜生 森活 简物 匠心 百草园 "
    "好时光 安心 元气 蓝海 金禾 知味 "
).split()
MODIFIERS = (
    "新款 加厚 便携 大容量 有机 原生态 进口 手工 轻奢 纯棉 真丝 复古 简约 "
    "网红 升级版 家用 迷你 儿童 男士 女士 无糖 低脂 高端 智能 静音 防水 "
    "透气 保暖 冰丝 法式 日式 北欧风 国潮 真空 不锈钢 陶瓷 竹纤维 春季 "
    "夏季 秋冬 旗舰款 经典款 "
).split()
SPECS = (
    "500ml 1kg 2斤装 礼盒装 6罐装 3件套 均码 XL 大号 家庭装 "
    "24粒 30片装 经典款 2只装 1.8米 小号 250g 10包 加大码 单只 "
).split()
PROMOS = "【限时特惠】 【新品】 【买二送一】 【爆款】 【官方正品】 【包邮】".split()
SCENES = ("办公室 宿舍 居家 出差 旅行 送礼 开学季 宝宝 健身 露营 通勤 约会 年货 上班族 ").split()
BENEFITS = (
    "一杯暖一天 品质看得见 用过都说好 回购率超高 全家都能用 颜值与实力并存 "
    "好用不贵 大牌平替 轻松搞定 舒适一整天 安心之选 闭眼入不踩雷 口碑爆棚 "
    "细节见真章 懂生活的人都在用 "
).split()
POINTS = (
    "七天无理由退换 顺丰包邮 正品保障 假一赔十 48小时发货 买一送一 赠运费险 "
    "官方直营 食品级材质 通过SGS检测 全国联保 一年质保 源头工厂直供 现货速发 "
    "大牌同厂 孕妇可用 无添加 零糖零脂 可机洗 不起球 母婴级安全 环保包装 "
).split()
COLOURS = "黑色 白色 灰色 米色 粉色 蓝色 绿色 原木色".split()


def categories() -> list[tuple[str, list[tuple[str, list[str]]]]]:
    return [
        (root, [(sub, nouns.split()) for sub, nouns in subs.items()])
        for root, subs in CATALOG.items()
    ]


def product_fields(rng: random.Random, subcategory: str, nouns: list[str]) -> dict:
    noun = rng.choice(nouns)
    modifier = rng.choice(MODIFIERS)
    if rng.random() < 0.3:
        modifier = rng.choice(MODIFIERS) + modifier
    name = f"{rng.choice(BRANDS)} {modifier}{noun} {rng.choice(SPECS)}"
    if rng.random() < 0.15:
        name = rng.choice(PROMOS) + name
    tagline = f"{rng.choice(SCENES)}必备的{subcategory}好物，{rng.choice(BENEFITS)}"
    points = rng.sample(POINTS, rng.randint(2, 4))
    roll = rng.random()
    status = "on_shelf" if roll < 0.92 else "off_shelf" if roll < 0.97 else "draft"
    return {
        "name": name,
        "tagline": tagline,
        "selling_points": points,
        "description": f"{name}。{tagline}。" + "；".join(points),
        "status": status,
        "sales": int(rng.paretovariate(1.2) * 10) if rng.random() < 0.8 else 0,
        "sort": 0,
    }


def sku_fields(rng: random.Random) -> list[dict]:
    base = Decimal(rng.randint(990, 99900)) / 100
    return [
        {
            "specs": {"颜色": colour},
            "price": base + i * 10,
            "cost": (base * Decimal("0.6")).quantize(Decimal("0.01")),
            "stock": rng.randint(0, 500),
        }
        for i, colour in enumerate(rng.sample(COLOURS, rng.randint(1, 3)))
    ]
