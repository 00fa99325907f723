// plotly.js puts a "Produced with Plotly" link to its web site in every chart's toolbar: switch it off, so the pages
// link to no other host, whatever configuration the chart's output passes.
(function () {
  if (!window.Plotly) return;
  var offline = { displaylogo: false, showLink: false, showSendToCloud: false, showEditInChartStudio: false };
  ['newPlot', 'react'].forEach(function (name) {
    var original = window.Plotly[name];
    window.Plotly[name] = function (gd, data, layout, config) {
      if (arguments.length <= 2 && data && !Array.isArray(data)) {
        data = Object.assign({}, data, { config: Object.assign({}, data.config, offline) });
        return original.call(window.Plotly, gd, data);
      }
      return original.call(window.Plotly, gd, data, layout, Object.assign({}, config, offline));
    };
  });
})();
