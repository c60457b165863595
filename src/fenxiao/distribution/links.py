"""What a distributor shares: the H5 links with their referral code and the mini-program scene."""

from django.conf import settings

from fenxiao.distribution.errors import MiniProgramCodeFailed

# wxacode.getUnlimited accepts at most 32 visible characters of scene
SCENE_MAX = 32


def share_url(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/?ref={code}"


def product_share_url(*, code: str, product_id: int) -> str:
    """The H5 product page; the server opens the client's page there, keeping `ref`."""
    return f"{settings.PUBLIC_BASE_URL}/products/{product_id}?ref={code}"


def mini_program_scene(*, code: str, product_id: int) -> str:
    """The scene of a mini-program code: the client reads `r` (code) and `p` (product)."""
    scene = f"r={code}&p={product_id}"
    if len(scene) > SCENE_MAX:
        raise MiniProgramCodeFailed(f"推广参数超过 {SCENE_MAX} 个字符，无法生成小程序码")
    return scene
