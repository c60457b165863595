"""The demo's people: one staff member per role and ~20 buyers with addresses."""

from fenxiao.accounts.models import User
from fenxiao.accounts.services import ROLE_LABELS, address_create, staff_create, user_register

# Fixed, printed, demo-only credentials.
STAFF = [
    ("owner", "13800138000", "fenxiao-owner"),
    ("operator", "13800138001", "fenxiao-operator"),
    ("finance", "13800138002", "fenxiao-finance"),
    ("service", "13800138003", "fenxiao-service"),
]
H5_BUYER = ("13900139000", "fenxiao-buyer", "演示买家")

# nickname, receiver, province, city, district, street address
BUYERS = [
    ("小鹿乱撞", "林晓", "广东省", "深圳市", "南山区", "科技园南区 8 栋 1203"),
    ("跑步的猫", "陈一鸣", "浙江省", "杭州市", "西湖区", "文三路 478 号 2 单元 601"),
    ("阿杰", "王杰", "北京市", "北京市", "朝阳区", "望京 SOHO T1 1801"),
    ("晴天", "赵晴", "上海市", "上海市", "浦东新区", "张江路 368 弄 12 号 502"),
    ("大橙子", "刘成", "四川省", "成都市", "武侯区", "天府三街 199 号 3 栋 906"),
    ("Momo妈", "孙莫", "江苏省", "南京市", "鼓楼区", "中山北路 26 号 1102"),
    ("老周", "周建国", "湖北省", "武汉市", "洪山区", "光谷大道 77 号 5 栋 301"),
    ("一只咸鱼", "吴宇", "福建省", "厦门市", "思明区", "软件园二期观日路 24 号"),
    ("芒果布丁", "郑芳", "湖南省", "长沙市", "岳麓区", "麓谷街道桐梓坡路 229 号"),
    ("山野", "冯山", "云南省", "昆明市", "五华区", "翠湖南路 15 号 2 幢 402"),
    ("甜甜圈", "何甜", "重庆市", "重庆市", "渝北区", "金开大道 1 号 9 栋 2201"),
    ("Leo", "李磊", "陕西省", "西安市", "雁塔区", "高新路 52 号 1 单元 1706"),
    ("花花", "徐华", "山东省", "青岛市", "崂山区", "海尔路 182 号 3 号楼 503"),
    ("夏日冰美式", "许夏", "天津市", "天津市", "和平区", "南京路 219 号 1401"),
    ("橘子汽水", "马菊", "河南省", "郑州市", "金水区", "花园路 39 号 6 栋 808"),
    ("北方的狼", "韩北", "辽宁省", "沈阳市", "和平区", "南京北街 206 号 1502"),
    ("小确幸", "唐欣", "广东省", "广州市", "天河区", "珠江新城华夏路 10 号 2306"),
    ("骑行少年", "曹骏", "浙江省", "宁波市", "鄞州区", "天童南路 588 号 A 座 1001"),
    ("安安妈妈", "邓安", "安徽省", "合肥市", "蜀山区", "长江西路 669 号 4 栋 1203"),
    ("江南", "蒋南", "江苏省", "苏州市", "工业园区", "星湖街 328 号 17 幢 602"),
]


def staff_members() -> dict[str, User]:
    return {
        role: staff_create(phone=phone, password=password, role=role, nickname=ROLE_LABELS[role])
        for role, phone, password in STAFF
    }


def _address(user: User, receiver: str, province: str, city: str, district: str, detail: str):
    return address_create(
        user=user,
        name=receiver,
        phone=user.phone,
        province=province,
        city=city,
        district=district,
        detail=detail,
    )


def buyers() -> list[User]:
    """Mini-program shoppers (WeChat log-in, so no password) and one H5 buyer with one."""
    people = []
    for i, (nickname, *address) in enumerate(BUYERS):
        user = User.objects.create_user(
            phone=f"139001390{i + 1:02d}", nickname=nickname, openid=f"demo-openid-{i + 1:02d}"
        )
        _address(user, *address)
        people.append(user)
    phone, password, nickname = H5_BUYER
    h5 = user_register(phone=phone, password=password, nickname=nickname)
    _address(h5, "张三", "广东省", "深圳市", "福田区", "深南大道 6008 号 15 楼")
    return [h5, *people]


def logins() -> list[tuple[str, str, str]]:
    rows = [(f"{ROLE_LABELS[role]}（{role}）", phone, pw) for role, phone, pw in STAFF]
    return [*rows, ("买家兼一级分销商（API / H5）", H5_BUYER[0], H5_BUYER[1])]
