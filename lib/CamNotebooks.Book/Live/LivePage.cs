using System.Text.RegularExpressions;
using CamNotebooks.Book.Rendering;

namespace CamNotebooks.Book.Live;

/// <summary>
/// The live page: the book's page of the notebook as it stands, plus a status bar and a small script that listens for
/// changes (server-sent events from the same local server) and swaps in the cells whose HTML changed.
/// </summary>
public static partial class LivePage
{
    /// <summary>The script's path on the local server.</summary>
    public const string ScriptPath = "camnb-live.js";

    /// <summary>The page of <paramref name="session"/>'s notebook, rendered by the book's renderer, with the live additions;
    /// its place, previous and next pages are those of the book around it (<paramref name="site"/>).</summary>
    public static string Render(LiveSession session, LiveSite site, BookSettings settings)
    {
        var status = session.Status;
        var notebook = session.ToExecutedNotebook();
        var content = PageRenderer.RenderCells(notebook, Path.GetDirectoryName(session.NotebookPath));
        // A chart may appear with the next save: always load plotly.js.
        content = content with { DrawsCharts = true };
        string? failure = notebook.FirstError is { } error ? $"cell {error.CellNumber} failed: {error.Error.Message.Split('\n')[0]}" : null;
        var kind = site.RelativePath.StartsWith(Building.NotebookSource.ExercisesFolder + "/", StringComparison.Ordinal) ? PageKind.Exercise : PageKind.Chapter;
        var page = new BookPage(site.RelativePath, kind, content.Title ?? BookPage.TitleFromFileName(site.RelativePath), failure);
        var (previous, next) = site.Neighbours(site.RelativePath);
        string html = PageRenderer.NotebookPage(settings with { Title = $"{settings.Title} (live)" }, page, content, previous, next);
        return AddLiveParts(html, status);
    }

    /// <summary>Lets the page talk to the server it came from, adds the status bar, the version and the script.</summary>
    public static string AddLiveParts(string html, LiveStatus status)
    {
        // The book's policy runs only the inline scripts it lists by hash; a chart that appears after a save has a hash the
        // loaded page never listed. The live script gives the scripts of swapped-in cells this page's nonce instead.
        string nonce = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        html = ScriptSource().Replace(html, m => $"{m.Value} 'nonce-{nonce}'", 1);
        // The book's policy forbids connections (a book has no server); the live page needs one, to its own origin only.
        html = ConnectSource().IsMatch(html)
            ? ConnectSource().Replace(html, "connect-src 'self'", 1)
            : ContentSecurityPolicy().Replace(html, m => m.Value.TrimEnd('"').TrimEnd() + "; connect-src 'self'\"", 1);
        string head = $"<meta name=\"camnb-live-version\" content=\"{status.Version}\">\n<script src=\"/{ScriptPath}\" nonce=\"{nonce}\" defer></script>\n</head>";
        html = html.Replace("</head>", head, StringComparison.Ordinal);
        string bar = $"<div id=\"camnb-live-status\" role=\"status\" aria-live=\"polite\" class=\"{StatusClass(status)}\" " +
                     "style=\"position:sticky;top:0;z-index:10;padding:.4em .8em;font:14px system-ui,sans-serif;border-bottom:1px solid #ccc;background:#f4f7fb\">" +
                     $"{Html.Escape(status.Message)}</div>";
        return BodyStart().Replace(html, m => m.Value + "\n" + bar, 1);
    }

    /// <summary>The status bar's class: busy, problem or ready.</summary>
    public static string StatusClass(LiveStatus status) => status.Busy ? "busy" : status.Problem ? "problem" : "ready";

    [GeneratedRegex(@"script-src[^;""]*")]
    private static partial Regex ScriptSource();

    [GeneratedRegex(@"connect-src[^;""]*")]
    private static partial Regex ConnectSource();

    [GeneratedRegex(@"<meta http-equiv=""Content-Security-Policy"" content=""[^""]*""")]
    private static partial Regex ContentSecurityPolicy();

    [GeneratedRegex(@"<body\b[^>]*>")]
    private static partial Regex BodyStart();

    /// <summary>
    /// The page's script: on each event it fetches the page again and replaces only the cells whose HTML changed
    /// (re-running their scripts, so charts draw); cells that did not change keep their DOM, so charts are not redrawn.
    /// </summary>
    public const string Script = """
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
          var events = new EventSource('/events');
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
        """;
}
