// Plotly.NET.Interactive's own formatter (and XPlot's) load plotly through require.js from a CDN. With this stand-in,
// their loaders find "require" already defined and get the local window.Plotly without any request.
(function () {
  if (typeof window.requirejs === 'function') return;
  var shim = function (deps, callback) {
    if (typeof deps === 'string') return window.Plotly;
    var modules = (deps || []).map(function () { return window.Plotly; });
    if (callback) callback.apply(null, modules);
  };
  shim.config = function () { return shim; };
  window.requirejs = window.require = shim;
})();
