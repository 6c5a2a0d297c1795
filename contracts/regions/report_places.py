"""The places of the programme's reports (domain seeds): three real streets/towns in each of the
counties they name, with their statistical division codes. The demo federation, the synthetic
import lists and benchmarks fill their communities/villages (some 550 of them)."""

from __future__ import annotations

from functools import cache

from contracts.regions import Region, communities

REPORT_TOWNS: dict[str, str] = {
    # 广州市从化区 (Guangzhou's family-unit pairing)
    "440117104": "良口镇", "440117103": "温泉镇", "440117113": "鳌头镇",
    # 广州市海珠区
    "440105001": "赤岗街道", "440105002": "新港街道", "440105008": "南华西街道",
    # 深圳市南山区 (micro-wishes, gift packs)
    "440305001": "南头街道", "440305007": "粤海街道", "440305005": "蛇口街道",
    # 四川省: 德阳市中江县, 广汉市, 达州市万源市, 巴中市南江县
    "510623100": "凯江镇", "510623101": "南华镇", "510623117": "仓山镇",
    "510681001": "雒城街道", "510681117": "三星堆镇", "510681105": "向阳镇",
    "511781100": "太平镇", "511781101": "青花镇", "511781110": "白沙镇",
    "511922001": "集州街道", "511922103": "长赤镇", "511922104": "正直镇",
    # 江苏省: 南通市海门区 ("five ones"), 淮安市涟水县
    "320614104": "悦来镇", "320614103": "常乐镇", "320614105": "四甲镇",
    "320826001": "涟城街道", "320826101": "高沟镇", "320826004": "保滩街道",
}


@cache
def report_communities() -> tuple[Region, ...]:
    """The communities/villages of the report towns, sorted by code."""
    return tuple(communities(*REPORT_TOWNS))
