"""Synthetic people: names and mobile numbers drawn from a seeded generator.

No real person appears in the demo (domain-rules §7). Names are a common surname plus one or two given-name
characters; the people the 2020 article names are refused explicitly, so a lucky draw cannot reproduce one.
"""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万严覃戴莫向汤"
)
# Two-character surnames drawn now and then, as in Hunan.
COMPOUND_SURNAMES = ("欧阳", "司马", "上官")
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲兰斌建波辉宁峰鹏飞云凤琴雪梅海燕晓亮志"
    "国良文俊宇浩然子涵欣怡佳颖思远嘉豪雨婷鑫鸿博昊天翔立新春林松柏德宏荣湘郴仙岭"
)
# People named in the article (and its byline): never generated.
ARTICLE_PEOPLE = frozenset({"李贵", "何娟", "欧志华", "胡建华", "雷翔耀", "朱前进"})

# Mainland mobile prefixes of the three carriers (1[3-9]x), so every number passes normalise_phone().
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
    "173 176 177 178 180 181 182 183 184 185 186 187 188 189 198 199"
).split()


class People:
    """Draws unique synthetic names and phone numbers from `rng` (deterministic for a given seed)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._names: set[str] = set()
        self._phones: set[str] = set()

    def name(self, unique: bool = False) -> str:
        while True:
            surname = self.rng.choice(COMPOUND_SURNAMES) if self.rng.random() < 0.02 else self.rng.choice(SURNAMES)
            given_len = 1 if self.rng.random() < 0.3 else 2
            given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(given_len))
            full = surname + given
            if full in ARTICLE_PEOPLE or (unique and full in self._names):
                continue
            self._names.add(full)
            return full

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number
