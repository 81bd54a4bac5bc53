/** Photos pasted (Ctrl+V) or dropped anywhere on the page go to `open`; `dragging` is true while a drag is over the page. */
import { useEffect, useState } from 'react';

export function usePhotoDrop(open: (file: File, name: string) => void, accepting: boolean): boolean {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const file = Array.from(e.clipboardData?.files ?? [])[0];
      if (!file || !accepting) return;
      e.preventDefault();
      open(file, file.name || 'pasted-image.png');
    };
    const onDragOver = (e: DragEvent) => {
      e.preventDefault();
      setDragging(true);
    };
    const onDragLeave = (e: DragEvent) => {
      if (!e.relatedTarget) setDragging(false); // left the page
    };
    const onDrop = (e: DragEvent) => {
      e.preventDefault();
      setDragging(false);
      const file = e.dataTransfer?.files[0];
      if (file && accepting) open(file, file.name);
    };
    window.addEventListener('paste', onPaste);
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('dragleave', onDragLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('paste', onPaste);
      window.removeEventListener('dragover', onDragOver);
      window.removeEventListener('dragleave', onDragLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, [open, accepting]);
  return dragging;
}
