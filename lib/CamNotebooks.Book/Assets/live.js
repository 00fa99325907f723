// The live page's script: on each event of the live server it fetches the page again and replaces only the cells whose
// HTML changed (re-running their scripts, so charts draw); cells that did not change keep their DOM, so charts are not
// redrawn. The page names the event stream and its version in meta elements; the script carries the page's nonce.
(function () {
  'use strict';
  var shown = {};
  var nonce = document.currentScript ? document.currentScript.nonce : '';
  var version = Number(document.querySelector('meta[name="camnb-live-version"]').content);
  var busy = false, again = false;
  function remember(root) { root.querySelectorAll('main > [id]').forEach(function (e) { shown[e.id] = e.outerHTML; }); }
  function revive(node) {
    node.querySelectorAll('script').forEach(function (old) {
      var s = document.createElement('script');
      for (var i = 0; i < old.attributes.length; i++) s.setAttribute(old.attributes[i].name, old.attributes[i].value);
      if (nonce) s.nonce = nonce;
      s.text = old.text;
      old.replaceWith(s);
    });
  }
  function setStatus(state) {
    var bar = document.getElementById('camnb-live-status');
    bar.textContent = state.message;
    bar.className = state.busy ? 'busy' : state.problem ? 'problem' : 'ready';
    bar.style.background = state.problem ? '#fde8e8' : state.busy ? '#fff8e1' : '#f4f7fb';
  }
  async function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    try {
      var response = await fetch(location.pathname, { cache: 'no-store' });
      var incoming = new DOMParser().parseFromString(await response.text(), 'text/html');
      var newVersion = Number(incoming.querySelector('meta[name="camnb-live-version"]').content);
      if (newVersion > version) {
        var main = document.querySelector('main'), nodes = [];
        incoming.querySelector('main').childNodes.forEach(function (node) {
          var html = node.outerHTML;
          var current = node.id ? document.getElementById(node.id) : null;
          if (current && shown[node.id] === html) { nodes.push(current); return; }
          var fresh = document.importNode(node, true);
          if (fresh.nodeType === 1) { revive(fresh); if (node.id) shown[node.id] = html; }
          nodes.push(fresh);
        });
        main.replaceChildren.apply(main, nodes);
        var toc = document.querySelector('nav.toc'), newToc = incoming.querySelector('nav.toc');
        if (toc && newToc && toc.innerHTML !== newToc.innerHTML) toc.innerHTML = newToc.innerHTML;
        document.title = incoming.title;
        version = newVersion;
        document.documentElement.setAttribute('data-live-version', String(version));
      }
    } catch (e) {
      document.getElementById('camnb-live-status').textContent = 'Lost the live server (' + e + '); is it still running?';
    } finally {
      busy = false;
      if (again) { again = false; refresh(); }
    }
  }
  remember(document);
  document.documentElement.setAttribute('data-live-version', String(version));
  var events = new EventSource(document.querySelector('meta[name="camnb-live-events"]').content);
  // While cells run, refresh at most twice a second (a quick cell then shows once, when it is done); when the run
  // ends, refresh at once.
  var pending = null;
  events.onmessage = function (e) {
    var state = JSON.parse(e.data);
    setStatus(state);
    if (state.version <= version) return;
    if (!state.busy) { clearTimeout(pending); pending = null; refresh(); }
    else if (pending === null) pending = setTimeout(function () { pending = null; refresh(); }, 500);
  };
  events.onerror = function () {
    document.getElementById('camnb-live-status').textContent = 'Waiting for the live server…';
  };
})();
