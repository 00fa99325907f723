// The explorer page's script: keeps the method list to what applies to the layer and shows the chosen map. It reads
// `data` (maps keyed "photo|class|layer|method"), which the page defines in the script before this one.
(function () {
  var byId = function (id) { return document.getElementById(id); };
  var photo = byId('explorer-photo'), cls = byId('explorer-class'), layer = byId('explorer-layer'), method = byId('explorer-method');
  var image = byId('explorer-image'), box = byId('explorer-box'), peak = byId('explorer-peak');
  var caption = byId('explorer-caption'), score = byId('explorer-score'), mean = byId('explorer-mean');
  var percent = function (v) { return (100 * v / 224).toFixed(2) + '%'; };
  var number = function (v) { return v === 0 || v === 1 ? String(v) : v.toFixed(2); };
  var keyOf = function (m) { return photo.value + '|' + cls.value + '|' + layer.value + '|' + m; };
  function show() {
    var first = null;
    for (var i = 0; i < method.options.length; i++) {
      var option = method.options[i], ok = keyOf(option.value) in data.maps;
      option.disabled = !ok;
      if (ok && first === null) first = option.value;
    }
    if (!(keyOf(method.value) in data.maps) && first !== null) method.value = first;
    var map = data.maps[keyOf(method.value)];
    if (!map) return;
    var p = data.photos[+photo.value], b = p.box, className = data.classes[+cls.value];
    var layerLabel = layer.options[layer.selectedIndex].text;
    image.src = data.folder + '/' + map[3];
    image.alt = method.value + ' map on ' + layerLabel + ' for the class ' + className + ', over ' + p.name;
    box.style.left = percent(b[0]); box.style.top = percent(b[1]);
    box.style.width = percent(b[2] - b[0]); box.style.height = percent(b[3] - b[1]);
    peak.style.left = percent(map[1] + 0.5); peak.style.top = percent(map[2] + 0.5);
    caption.textContent = method.value + ' on ' + layerLabel + ' for "' + className + '" · ' + p.name + ' (a ' + data.classes[p.label] +
      '; the classifier gives "' + className + '" p = ' + p.probabilities[+cls.value].toFixed(3) + ')';
    score.textContent = 'Head-box pointing score: ' + number(map[0]) + (map[0] === 1 ? ': the peak (white cross) is inside the head box (dashed).'
      : map[0] === 0 ? ': the peak (white cross) is outside the head box (dashed).'
      : ': the map has a flat top, and this share of its highest pixels is inside the head box.');
    var sum = 0, count = 0;
    for (var j = 0; j < data.photos.length; j++) {
      var other = data.maps[j + '|' + data.photos[j].label + '|' + layer.value + '|' + method.value];
      if (other) { sum += other[0]; count++; }
    }
    mean.textContent = count ? 'Over all ' + count + ' photos, each for its true class: ' + number(sum / count) + ' at this layer with this method.' : '';
  }
  [photo, cls, layer, method].forEach(function (select) { select.addEventListener('change', show); });
  show();
})();
