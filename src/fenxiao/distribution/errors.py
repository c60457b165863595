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
