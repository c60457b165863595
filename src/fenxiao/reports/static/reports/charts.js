/* Draws the report charts with the vendored ECharts (echarts.min.js, no CDN): each element
   with data-chart="<name>" gets the chart of that name, fed from the page's JSON data. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var number = function (values) { return values.map(Number); };
  var base = function (categories, yName) {
    return {
      animation: false,
      textStyle: { fontFamily: "'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" },
      tooltip: { trigger: "axis" },
      legend: { top: 8, type: "scroll" },
      grid: { left: 64, right: 24, top: 64, bottom: 36 },
      xAxis: { type: "category", data: categories },
      yAxis: { type: "value", name: yName }
    };
  };
  var charts = {
    sales: function () {
      var option = base(data.dates, "元");
      option.series = [
        { name: "支付金额", type: "line", data: number(data.sales) },
        { name: "退款金额", type: "line", data: number(data.refunded) },
        { name: "净销售额", type: "line", data: number(data.net) }
      ];
      return option;
    },
    people: function () {
      var option = base(data.dates, "个");
      option.series = [
        { name: "支付订单数", type: "bar", data: data.orders },
        { name: "新增用户", type: "bar", data: data.users },
        { name: "经分享链接新增", type: "bar", data: data.linked }
      ];
      return option;
    },
    commission: function () {
      var option = base(data.dates, "元");
      option.series = [{ name: "产生佣金", type: "bar", data: number(data.commission) }];
      return option;
    },
    funnel: function () {
      var option = base(data.buckets, "次 / 人");
      option.series = [
        { name: "分享链接访问", type: "line", data: data.visits },
        { name: "经链接注册", type: "line", data: data.signups },
        { name: "经链接首单", type: "line", data: data.first_orders }
      ];
      return option;
    },
    share: function () {
      var option = base(data.buckets, "%");
      option.series = [{ name: "分销带来销售额占比", type: "bar", data: data.driven_share }];
      return option;
    }
  };
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var chart = echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(charts[element.dataset.chart]());
    element.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
