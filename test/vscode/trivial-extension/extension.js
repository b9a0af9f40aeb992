// The activation baseline of the extension-host benchmark (test/vscode/bench): loaded next to Fence
// Lens in the same host, it does the least an extension can do, so `await ext.activate()` on it is
// what VS Code itself charges for activating any extension (module load, mementos, the RPC round
// trips). Plain CommonJS, no build step, no dependencies.
'use strict';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS on purpose: no build step
const vscode = require('vscode');

exports.activate = (/** @type {import('vscode').ExtensionContext} */ context) => {
  context.subscriptions.push(vscode.commands.registerCommand('trivialExtension.hello', () => 'hello'));
  return { ready: true };
};

exports.deactivate = () => {};
