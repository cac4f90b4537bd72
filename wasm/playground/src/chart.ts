// The traffic split as an accessible SVG bar chart: one bar per zone with a text label, and a
// summary sentence that screen readers get as the chart's name.
import { h, s } from "./dom";

export interface ChartInput {
  clientZone: string;
  port: string;
  /** zone -> fraction (0..1). */
  shares: Record<string, number>;
  /** Every zone to draw, in order (zones without a share get 0). */
  zones: string[];
  down: Set<string>;
  /**
   * Pixels available. The bars shrink to fit instead of the whole SVG being scaled down, so the
   * labels keep their CSS size on a phone.
   */
  width?: number;
}

const ROW = 34;
const LABEL_W = 110;
const BAR_W = 260;
const MIN_BAR_W = 100;
const VALUE_W = 90;

export function percent(fraction: number): string {
  const p = Math.round(fraction * 1000) / 10;
  return `${p} %`;
}

export function renderChart(input: ChartInput): HTMLElement {
  const { zones, shares, down } = input;
  const summary =
    `Share of requests from a client in ${input.clientZone} to port ${input.port}: ` +
    zones.map((z) => `${z} ${percent(shares[z] ?? 0)}${down.has(z) ? " (down)" : ""}`).join(", ") +
    ".";
  const height = zones.length * ROW + 8;
  const barW = input.width ? Math.max(MIN_BAR_W, Math.min(BAR_W, Math.floor(input.width) - LABEL_W - VALUE_W)) : BAR_W;
  const width = LABEL_W + barW + VALUE_W;
  const svg = s(
    "svg",
    { viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": summary, class: "chart" },
    zones.map((zone, i) => {
      const share = shares[zone] ?? 0;
      const y = i * ROW + 4;
      const isDown = down.has(zone);
      return s(
        "g",
        { "data-zone": zone, "data-share": share.toFixed(4), class: isDown ? "bar down" : "bar" },
        s("text", { x: LABEL_W - 8, y: y + 20, "text-anchor": "end", class: "label" }, zone),
        s("rect", { x: LABEL_W, y: y + 4, width: barW, height: 22, class: "track", rx: 3 }),
        s("rect", {
          x: LABEL_W,
          y: y + 4,
          width: Math.max(share > 0 ? 2 : 0, share * barW),
          height: 22,
          class: "fill",
          rx: 3,
        }),
        s("text", { x: LABEL_W + barW + 8, y: y + 20, class: "value" }, isDown ? `${percent(share)} down` : percent(share)),
      );
    }),
  );
  return h("figure", { class: "chart-figure" }, svg, h("figcaption", { id: "chart-summary" }, summary));
}
