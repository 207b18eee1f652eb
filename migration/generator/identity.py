"""Names, ID card numbers (GB 11643) and phone numbers, vectorised with numpy."""

from __future__ import annotations

import numpy as np

# Frequent surnames in western Guangdong (陈, 李, 黄 lead in Zhanjiang), rough weights.
SURNAMES = list("陈李黄林吴梁王张杨莫庞邓钟许谢何刘周郑罗洪蔡詹苏揭冯叶潘全柯邹宋")
SURNAME_W = np.array([14, 8, 8, 6, 5, 5, 5, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2] + [1] * 13, float)
MALE_CHARS = list("国华建明伟德永志文金荣光海福强军平安生成庆东林春亚石")
FEMALE_CHARS = list("秀英玉兰桂珍凤芳梅丽娟琼花群妹娣霞燕莲金月翠爱琴容")
ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK_CHARS = np.array(list("10X98765432"))
MOBILE_PREFIX = np.array([130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 158, 159,
                          180, 181, 182, 186, 187, 188, 189, 199])  # fmt: skip


def names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    n = len(female)
    sur = np.array(SURNAMES)[rng.choice(len(SURNAMES), n, p=SURNAME_W / SURNAME_W.sum())]
    m, f = np.array(MALE_CHARS), np.array(FEMALE_CHARS)
    c1 = np.where(female, f[rng.integers(0, len(f), n)], m[rng.integers(0, len(m), n)])
    c2 = np.where(female, f[rng.integers(0, len(f), n)], m[rng.integers(0, len(m), n)])
    two = rng.random(n) < 0.8
    return np.char.add(np.char.add(sur, c1), np.where(two, c2, ""))


def _ymd(day: np.ndarray) -> np.ndarray:
    """datetime64[D] -> yyyymmdd as int64."""
    y = day.astype("datetime64[Y]").astype(np.int64) + 1970
    m = day.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (day - day.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y * 10_000 + m * 100 + d


def check_digit(body: np.ndarray) -> np.ndarray:
    """The GB 11643 check character of 17-digit numbers (ISO 7064 MOD 11-2), from int64."""
    powers = 10 ** np.arange(16, -1, -1, dtype=np.int64)
    digits = (body[:, None] // powers[None, :]) % 10
    return CHECK_CHARS[(digits @ ID_WEIGHTS) % 11]


def id_cards(
    rng: np.random.Generator, area6: np.ndarray, birth: np.ndarray, female: np.ndarray
) -> np.ndarray:
    """18-digit numbers, unique per (area, birth date, sex) thanks to ranked sequence numbers."""
    n = len(area6)
    area = np.asarray(area6).astype(np.int64)
    ymd = _ymd(birth.astype("datetime64[D]"))
    key = (area * 100_000_000 + ymd) * 10 + female
    order = np.argsort(key, kind="stable")
    sk = key[order]
    first = np.r_[True, sk[1:] != sk[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n) - group_start
    offset = np.empty(n, np.int64)
    offset[order] = rng.integers(0, 150, n)[group_start]  # one random start per group
    seq = 2 * (offset + rank) + np.where(female, 0, 1)  # odd sequence number = male
    if n and seq.max() > 999:
        raise ValueError("too many people share an area and birth date")
    body = (area * 100_000_000 + ymd) * 1000 + seq
    return np.char.add(body.astype("U17"), check_digit(body))


def to_15_digit(id18: np.ndarray) -> np.ndarray:
    """The pre-1999 form: drop the century and the check character."""
    body = np.char.ljust(np.asarray(id18).astype("U18"), 18).astype("U17").astype(np.int64)
    area, rest = body // 10**11, body % 10**9
    return (area * 10**9 + rest).astype("U15")


def mobiles(rng: np.random.Generator, n: int) -> np.ndarray:
    num = MOBILE_PREFIX[rng.integers(0, len(MOBILE_PREFIX), n)] * 10**8 + rng.integers(0, 10**8, n)
    return num.astype(str)


def landlines(rng: np.random.Generator, n: int) -> np.ndarray:
    """Zhanjiang fixed lines: area code 0759 and seven digits starting 2 or 3."""
    return np.char.add(
        "0759", (rng.integers(2, 4, n) * 10**6 + rng.integers(0, 10**6, n)).astype(str)
    )


def credit_codes(rng: np.random.Generator, county6: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Unified social credit codes (GB 32100) with a valid check character.

    kind: '52' private non-enterprise (民办非企业), '12' public institution, '91' company.
    """
    alphabet = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    weights = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28])
    n = len(county6)
    body_idx = rng.integers(0, 31, (n, 9))
    body_idx[:, 8] = rng.integers(0, 10, n)
    prefix = np.char.add(kind, county6)
    lookup = {c: i for i, c in enumerate(alphabet)}
    pre_idx = np.array([[lookup[c] for c in p] for p in prefix])
    idx = np.concatenate([pre_idx, body_idx], axis=1)
    check = (31 - (idx @ weights) % 31) % 31
    chars = alphabet[np.concatenate([idx, check[:, None]], axis=1)]
    return np.array(["".join(r) for r in chars])
