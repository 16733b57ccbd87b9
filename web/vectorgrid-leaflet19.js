// Leaflet.VectorGrid 1.3.0 (the latest on npm) with Leaflet 1.9: a click on a canvas tile calls
// L.DomEvent.fakeStop, which Leaflet 1.8 removed, so clicking a tile feature throws (Leaflet.VectorGrid
// issue #274). Leaflet 1.9 marks canvas containers to be skipped by the map's own DOM handling, so the
// renderer must pass every mouse event on itself: to the feature under the pointer, or to the map when
// there is none (the map's click, double-click zoom and context menu keep working over tiles). This is
// Leaflet 1.9's own L.Canvas._onClick, with the point taken relative to the tile.
L.Canvas.Tile.include({
  _onClick(e) {
    const point = this._map.mouseEventToLayerPoint(e).subtract(this.getOffset());
    let clicked = null;
    for (const id in this._layers) {
      const layer = this._layers[id];
      if (layer.options.interactive && layer._containsPoint(point)
          && (!(e.type === 'click' || e.type === 'preclick') || !this._map._draggableMoved(layer))) {
        clicked = layer;
      }
    }
    this._fireEvent(clicked ? [clicked] : false, e);
  },
});
