// uPlot is loaded as a classic script (its IIFE build) before the dashboard's module runs.
import type uPlotType from 'uplot';

declare global {
  const uPlot: typeof uPlotType;
  type AlignedData = uPlotType.AlignedData;
}
