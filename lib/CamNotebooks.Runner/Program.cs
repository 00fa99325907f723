using CamNotebooks.Runner;

// camnb-runner: executes .dib notebooks headless and writes the executed copies as .ipynb.
//   run <notebook.dib>... --output <folder>     exit 0: all cells passed; 1: a cell failed; 2: bad input
return await RunnerCommand.MainAsync(args);
