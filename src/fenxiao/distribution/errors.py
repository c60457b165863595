from fenxiao.errors import Conflict, DomainError, NotFound


class PlanInvalid(DomainError):
    code = "plan_invalid"
    message = "分销方案无效"


class PlanLevelsExceeded(DomainError):
    code = "plan_levels_exceeded"
    message = "分销层级最多 3 级（超过 3 级属于传销）"


class PlanShareExceeded(DomainError):
    code = "plan_share_exceeded"
    message = "各级佣金合计超过佣金上限"


class PyramidRuleRefused(DomainError):
    code = "pyramid_rule_refused"
    message = "不允许设置入门费或拉人头奖励：佣金只能来自真实销售"


class DistributorNotFound(NotFound):
    code = "distributor_not_found"
    message = "分销商不存在"


class NotADistributor(DomainError):
    code = "not_a_distributor"
    status = 403
    message = "您还不是分销商"


class DistributorStateError(Conflict):
    code = "invalid_distributor_state"
    message = "分销商当前状态不允许该操作"


class ApplicationNotAccepted(DomainError):
    code = "application_not_accepted"
    message = "当前不接受分销商申请"


class ReferralCodeNotFound(NotFound):
    code = "referral_code_not_found"
    message = "推广码不存在"


class GradeInvalid(DomainError):
    code = "grade_invalid"
    message = "分销等级设置无效"


class DistributorFrozen(DomainError):
    code = "distributor_frozen"
    status = 403
    message = "您的分销商资格已被冻结，暂不能推广"


class ReferralCodePending(Conflict):
    code = "referral_code_pending"
    message = "推广码尚未生成，请稍后再试"


class PosterFontMissing(DomainError):
    code = "poster_font_missing"
    status = 503
    message = "海报字体未安装，暂不能生成海报（请安装 fonts-noto-cjk 或设置 FENXIAO_POSTER_FONT）"


class MiniProgramCodeFailed(DomainError):
    code = "wxacode_failed"
    status = 502
    message = "生成小程序码失败，请稍后再试"
