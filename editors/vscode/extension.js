// extension.js - starts `svp lsp` for .svp files and connects VS Code to it.
//
// Everything the editor shows about a policy (errors as you type, hover,
// definitions, references, rename, completion, the outline, formatting on
// save, quick fixes) comes from the language server; this file only finds
// the command (setting `svp.path`, default `svp` on PATH) and starts it.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
    const command = vscode.workspace.getConfiguration('svp').get('path') || 'svp';
    const serverOptions = { command, args: ['lsp'] };
    const clientOptions = {
        documentSelector: [{ scheme: 'file', language: 'svp' }, { scheme: 'untitled', language: 'svp' }],
        synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.svp') },
    };
    client = new LanguageClient('svp', 'svp', serverOptions, clientOptions);
    client.start().catch((err) => {
        vscode.window.showErrorMessage(
            `svp: cannot start \`${command} lsp\` (${err.message}). Install svp, or set "svp.path" to the svp command.`);
    });
    context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
    return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
