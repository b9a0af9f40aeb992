// The entry of dist/engine.js: the parts of the engine the extension loads on first use (see
// ./engine). Everything the extension needs from them goes through this list, so the activation
// bundle (dist/extension.js) never contains execa, the monitor or jsonc-parser.

export { startRun } from '../sandbox/run';
export { runDoctor } from '../sandbox/doctor';
export { helperInstallPlan, installHelperArgv } from '../monitor/helperInstall';
export { settingSpan, settingsEditFor } from '../core/fence/settingsText';
