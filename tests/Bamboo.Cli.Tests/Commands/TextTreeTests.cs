using Bamboo.Cli.Commands;

namespace Bamboo.Cli.Tests.Commands;

public sealed class TextTreeTests
{
    private static TextTree Sample()
    {
        var tree = new TextTree("run (p)", "FINISHED");
        tree.Add("start (s)", "FINISHED loop=1");
        var sub = tree.Add("sub (sp)", "FINISHED loop=1");
        sub.Add("inner (i1)", "FINISHED");
        sub.Add("inner end (i2)", "FINISHED");
        tree.Add("end (e)", "FINISHED loop=1");
        return tree;
    }

    [Fact]
    public void Render_NestedChildren_DrawsBranchesAndKeepsTheParentsLineOnlyWhileSiblingsFollow()
    {
        Assert.Equal(
            """
            run (p) FINISHED
            ├── start (s) FINISHED loop=1
            ├── sub (sp) FINISHED loop=1
            │   ├── inner (i1) FINISHED
            │   └── inner end (i2) FINISHED
            └── end (e) FINISHED loop=1

            """.ReplaceLineEndings("\n"),
            Sample().Render(color: false));
    }

    [Fact]
    public void Render_LastChildWithChildren_IndentsThemWithoutALine()
    {
        var tree = new TextTree("p", "");
        tree.Add("sub", "").Add("inner", "RUNNING");

        Assert.Equal("p\n└── sub\n    └── inner RUNNING\n", tree.Render(color: false));
    }

    [Fact]
    public void Render_WithColor_RootIsBoldAndDetailsGrey()
    {
        var tree = new TextTree("p", "RUNNING");
        tree.Add("a", "FINISHED");

        Assert.Equal("\u001b[1mp\u001b[0m RUNNING\n└── a \u001b[90mFINISHED\u001b[0m\n", tree.Render(color: true));
        Assert.DoesNotContain('\u001b', Sample().Render(color: false));
    }

    [Fact]
    public void Render_ControlCharactersInNames_ShownAsQuestionMarks()
    {
        var tree = new TextTree("evil\u001b[2J\r\nname", "FAILED\u0007");
        tree.Add("a\tb\u009b", "x");

        Assert.Equal("evil?[2J??name FAILED?\n└── a?b? x\n", tree.Render(color: false));
        Assert.Equal("plain name", TextTree.Printable("plain name"));
        Assert.Equal("a?b", TextTree.Printable("a\u001bb"));
    }
}
