import { app, BrowserWindow, dialog } from 'electron';
import { join } from 'node:path';
import type { SaveDialog } from '../services/exports/save-dialog';

/**
 * Electron's dialogs for exports.saveWithDialog. They run in main, parented to the focused window so they
 * are modal to it; the renderer never sees the chosen path, only what main wrote there.
 */
export function electronSaveDialog(): SaveDialog {
  const parent = () => BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  return {
    async chooseFolder({ title, buttonLabel }) {
      const options: Electron.OpenDialogOptions = { title, buttonLabel, defaultPath: app.getPath('documents'), properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'] };
      const win = parent();
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
    },
    async chooseFile({ title, buttonLabel, defaultName }) {
      // No overwrite: the engine refuses an existing file with a sentence, so Electron's own prompt is off.
      const options: Electron.SaveDialogOptions = { title, buttonLabel, defaultPath: join(app.getPath('documents'), defaultName), filters: [{ name: 'Zip archive', extensions: ['zip'] }], properties: ['createDirectory', 'dontAddToRecent'] };
      const win = parent();
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  };
}
