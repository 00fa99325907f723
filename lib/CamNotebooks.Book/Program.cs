using CamNotebooks.Book;

// camnb-book: builds the rendered, offline book from the notebooks.
//   build --notebooks notebooks --output out/book     exit 0: all notebooks ran; 1: one failed; 2: bad input
return await BookCommand.MainAsync(args, Console.Out, Console.Error);
