"""Chinese personal and business names."""
from __future__ import annotations

import random

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史黎")
GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华文辉建国志红玉梅鹏飞宇浩然子轩欣怡"
         "诗涵梓萱雨泽俊杰嘉怡晓东海燕慧敏家豪颖琳振华永健国强丽娟少华锦荣伟明炳坤健雄淑贞少芬婉婷")
SHOP_WORDS = ("鸿运", "兴隆", "金利", "恒丰", "粤海", "嘉禾", "百盛", "永安", "华南", "丰泰", "宏达", "穗丰",
              "利民", "德信", "万家", "东方", "骏景", "荔湾", "广信", "联合", "新世纪", "益民", "信达", "鼎盛")
TRADES = (("贸易", "有限公司"), ("餐饮管理", "有限公司"), ("建材", "有限公司"), ("物流", "有限公司"),
          ("科技", "有限公司"), ("装饰工程", "有限公司"), ("食品", "有限公司"), ("医药连锁", "有限公司"),
          ("汽车运输", "有限公司"), ("文化传播", "有限公司"), ("化工", "有限公司"), ("房地产开发", "有限公司"),
          ("电子", "股份有限公司"), ("建筑工程", "有限公司"), ("酒店管理", "有限公司"))
SHOPS = ("餐饮店", "小食店", "便利店", "五金店", "烟酒店", "水果店", "理发店", "汽车修理店", "药店",
         "网吧", "士多店", "茶餐厅", "粮油店", "服装店", "烧腊店")
ORGS = ("合伙企业（有限合伙）", "分公司", "经营部", "门诊部", "农民专业合作社")
LEADER_TITLES = ("局长", "副局长", "支队长", "大队长", "科长", "主任")


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def company_name(rng: random.Random, district: str) -> str:
    trade, form = rng.choice(TRADES)
    return f"广州市{rng.choice(SHOP_WORDS)}{rng.choice(SHOP_WORDS)}{trade}{form}" if rng.random() < 0.6 \
        else f"广州{rng.choice(SHOP_WORDS)}{trade}{form}"


def shop_name(rng: random.Random, district: str) -> str:
    owner = rng.choice(SURNAMES)
    return rng.choice((f"{district}{owner}记{rng.choice(SHOPS)}", f"{district}{rng.choice(SHOP_WORDS)}{rng.choice(SHOPS)}",
                       f"广州市{district}{owner}氏{rng.choice(SHOPS)}"))


def org_name(rng: random.Random, district: str) -> str:
    trade, _ = rng.choice(TRADES)
    kind = rng.choice(ORGS)
    return f"广州{rng.choice(SHOP_WORDS)}{trade}{kind}" if kind != "分公司" else \
        f"{rng.choice(SHOP_WORDS)}{trade}有限公司广州{district}分公司"


FOREIGN_GIVEN = ("JOHN", "ADEBAYO", "NGUYEN VAN", "MOHAMMED", "IVAN", "KIM", "MARIA", "AHMED", "DAVID", "ANNA")
FOREIGN_FAMILY = ("SMITH", "OKAFOR", "AN", "HASSAN", "PETROV", "MINJUN", "GARCIA", "KHAN", "MILLER", "SILVA")


def foreign_name(rng: random.Random) -> str:
    return f"{rng.choice(FOREIGN_GIVEN)} {rng.choice(FOREIGN_FAMILY)}"
