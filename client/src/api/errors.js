// Chinese text for every error code the client can meet; invalid_input and unknown codes keep
// the server's own (Chinese) message, which names the field or the rule.
export const MESSAGES = {
  out_of_stock: '库存不足/已售罄',
  sku_unavailable: '该规格已下架或售罄',
  unauthorized: '登录已过期，请重新登录',
  too_many_attempts: '尝试次数过多，请稍后再试',
  invalid_credentials: '手机号或密码错误',
  phone_taken: '该手机号已注册，请直接登录',
  weak_password: '密码太简单，请换一个',
  invalid_phone: '手机号格式不正确',
  product_not_found: '商品不存在或已下架',
  order_not_found: '订单不存在',
  invalid_order_state: '订单状态已变化，请刷新后重试',
  order_not_payable: '订单已无法支付（可能已超时取消）',
  invalid_refund: '退款申请不正确，请检查数量',
  invalid_refund_state: '该订单当前不能申请退款',
  referral_code_not_found: '推荐码无效',
  not_a_distributor: '您还不是分销商，开通后才能推广',
  application_not_accepted: '当前不接受分销商申请',
  distributor_frozen: '您的分销资格已被冻结，暂不能推广',
  invalid_distributor_state: '分销商状态已变化，请刷新后重试',
  referral_code_pending: '推广码尚未生成，请稍后再试',
  poster_font_missing: '海报暂不可用（服务器未安装中文字体），请先复制链接分享',
  wxacode_failed: '生成小程序码失败，请稍后再试',
  sku_not_found: '该规格不存在',
  cart_full: '购物车已满（最多 100 种商品），请先清理',
  invalid_quantity: '数量不正确',
  cart_item_not_found: '购物车商品已变化，请刷新后重试',
  address_not_found: '地址不存在或已删除',
  idempotency_conflict: '请求重复，请刷新后重试',
  provider_unavailable: '支付方式暂不可用',
  invalid_amount: '提现金额须为大于 0 且最多两位小数的金额',
  unknown_channel: '不支持该提现方式，请换一种',
  invalid_account: '收款账户信息不完整，请检查后重试',
  below_minimum: '低于最低提现金额',
  amount_too_small: '扣除手续费和税费后实到金额须大于 0，请提高提现金额',
  daily_limit_exceeded: '超过每日提现上限',
  daily_count_exceeded: '今日提现次数已用完，请明天再来',
  insufficient_balance: '可提现余额不足',
  identity_required: '请先登记真实姓名和身份证号',
  identity_locked: '实名信息已登记，如需修改请联系客服',
  invalid_id_number: '身份证号码无效，请检查后重新输入',
  invalid_real_name: '请填写真实姓名',
  withdrawal_not_found: '提现记录不存在',
  withdrawal_state: '提现状态已变化，请刷新后重试',
  forbidden: '没有权限',
  not_found: '内容不存在',
  server_error: '服务器开小差了，请稍后再试',
  network_error: '网络连接失败，请检查网络后重试',
}

// codes whose server message says more than ours (the threshold amount, the stock left, the
// withdrawal limit and what is left of it today, why an id number is wrong)
const SERVER_SAYS_MORE = new Set([
  'application_not_accepted',
  'cart_full',
  'below_minimum',
  'daily_limit_exceeded',
  'daily_count_exceeded',
  'insufficient_balance',
  'invalid_id_number',
  'invalid_real_name',
])

export class ApiError extends Error {
  constructor({ code, message, status, errors }) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.errors = errors
  }
}

export function errorFromResponse(status, body) {
  const data = body && typeof body === 'object' ? body : {}
  const code = data.code || (status === 401 ? 'unauthorized' : status >= 500 ? 'server_error' : 'error')
  let message
  if (code === 'invalid_input') message = data.message || '输入有误，请检查后重试'
  else if (code === 'out_of_stock' && data.message) message = `库存不足/已售罄：${data.message}`
  else if (SERVER_SAYS_MORE.has(code) && data.message) message = data.message
  else message = MESSAGES[code] || data.message || '操作失败，请稍后再试'
  return new ApiError({ code, message, status, errors: data.errors })
}

export function networkError() {
  return new ApiError({ code: 'network_error', message: MESSAGES.network_error, status: 0 })
}
