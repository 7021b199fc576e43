/** The tool's size parser (go-humanize rules), under the name the analysis code uses. */
export { parseSize as parseHumanBytes } from '../util/units.js';
