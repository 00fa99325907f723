// Fits Plotly charts to the reader's screen: a chart drawn for a wider screen than this one (a fixed layout.width) is
// narrowed to its column, a chart without a width gets its column's (rather than plotly's own guess), and a title that
// still does not fit is set smaller instead of being cut at both ends. Placed after plotly.js and before any chart.
(function () {
  if (!window.Plotly) return;
  function element(gd) { return typeof gd === 'string' ? document.getElementById(gd) : gd; }
  function room(el) { return el && el.parentElement ? el.parentElement.clientWidth : 0; }
  function fitTitle(el) {
    var title = el && el.querySelector('.gtitle');
    var svg = el && el.querySelector('.main-svg');
    if (!title || !svg) return;
    var wide = title.getBoundingClientRect().width, width = svg.getBoundingClientRect().width - 16;
    if (wide <= width) return;
    var font = el.layout && el.layout.title && el.layout.title.font && el.layout.title.font.size || 17;
    window.Plotly.relayout(el, { 'title.font.size': Math.max(9, Math.floor(font * width / wide)) });
  }
  ['newPlot', 'react'].forEach(function (name) {
    var original = window.Plotly[name];
    window.Plotly[name] = function (gd, data, layout) {
      var el = element(gd), width = room(el), args = Array.prototype.slice.call(arguments);
      function fit(l) { return width > 0 && !(l && l.width <= width) ? Object.assign({}, l, { width: width }) : l; }
      if (args.length <= 2 && data && !Array.isArray(data)) args[1] = Object.assign({}, data, { layout: fit(data.layout) });
      else args[2] = fit(layout);
      var result = original.apply(window.Plotly, args);
      Promise.resolve(result).then(function () { fitTitle(el); });
      return result;
    };
  });
})();
